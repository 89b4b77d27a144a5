"""Write a document as a council web page: site chrome (nav, cookie banner, footer) around the
report.

Renderer for the ``html`` format. Real councils publish some reports and most learning briefs as
web pages; an extractor must keep the report body (inside ``<main>``) and drop the chrome. The
body is one "page" in the truth file.
"""

from __future__ import annotations

from html import escape

from .blocks import Block, Heading, Item, Para, Rec, Table, Title


def render_html(blocks: list[Block], *, title: str, area: str, site_note: str) -> bytes:
    e = escape
    out = ["<!DOCTYPE html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(title)} | {e(area)} Council</title>",
           '<meta name="description" content="Synthetic sample - not a real review">',
           '<meta name="generator" content="dhr-repository sample generator (synthetic sample)">',
           "</head>", "<body>",
           ('<div class="cookie-banner" role="region" aria-label="Cookie banner"><p>We use cookies '
            'to '
           "make this website work and to collect analytics. <button>Accept all cookies</button> "
           "<button>Reject non-essential cookies</button></p></div>"),
           (f'<header class="site-header"><a href="/">{e(area)} Council</a>'
           '<nav aria-label="Main"><ul><li><a href="/bins">Bins and recycling</a></li>'
           '<li><a href="/council-tax">Council tax</a></li><li><a href="/community-safety">'
           "Community safety</a></li><li><a href=\"/contact\">Contact us</a></li></ul></nav>"
           "</header>"),
           ('<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/">Home</a> &gt; '
           '<a href="/community-safety">Community safety</a> &gt; '
           '<a href="/community-safety/dhr">Domestic homicide reviews</a></nav>'),
           "<main>"]
    in_list = ""   # "ul" / "ol" while inside a list
    for b in blocks:
        if isinstance(b, Rec) and b.list_number is not None:
            # A numbered recommendation is an item of an ordered list: the number is the list's.
            if in_list != "ol-rec":
                if in_list:
                    out.append(f"</{in_list[:2]}>")
                out.append(f'<ol class="recommendations" start="{b.list_number}">')
                in_list = "ol-rec"
            out.append(f"<li>{e(b.text)}</li>")
            continue
        if isinstance(b, Item):
            tag = "ol" if b.numbered else "ul"
            if in_list != tag:
                if in_list:
                    out.append(f"</{in_list[:2]}>")
                out.append(f"<{tag}>")
                in_list = tag
            out.append(f"<li>{e(b.text)}</li>")
            continue
        if in_list:
            out.append(f"</{in_list[:2]}>")
            in_list = ""
        if isinstance(b, Title):
            out.append(f"<h1>{e(b.title)}</h1>")
            out.extend(f'<p class="subtitle">{e(line)}</p>' for line in b.lines)
        elif isinstance(b, Heading):
            lvl = min(b.level + 1, 4)
            out.append(f"<h{lvl}>{e(b.label)}</h{lvl}>")
        elif isinstance(b, Para):
            out.append(f"<p>{e(b.lines_text()[0])}</p>")
        elif isinstance(b, Rec):
            for line in b.lines_text():
                out.append(f'<p class="recommendation">{e(line)}</p>')
        elif isinstance(b, Table):
            out.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in b.columns)
                       + "</tr></thead><tbody>")
            for i, row in enumerate(b.rows):
                out.append("<tr>" + "".join(_td(b, i, j, c) for j, c in enumerate(row)
                                            if (i, j) not in b.merged) + "</tr>")
            out.append("</tbody></table>")
    if in_list:
        out.append(f"</{in_list[:2]}>")
    out += ["</main>",
            ('<footer class="site-footer"><p>If you need this information in another format, '
            'please <a href="/contact">contact us</a>.</p><ul><li><a href="/accessibility">'
            'Accessibility statement</a></li><li><a href="/privacy">Privacy notice</a></li>'
            f'<li><a href="/cookies">Cookies</a></li></ul><p>{e(site_note)}</p>'
            f"<p>&copy; {e(area)} Council</p></footer>"),
            "</body>", "</html>", ""]
    return "\n".join(out).encode("utf-8")


def _td(t: Table, i: int, j: int, text: str) -> str:
    """A body cell; one that the cells below are merged into spans them (rowspan)."""
    span = 1
    while (i + span, j) in t.merged:
        span += 1
    attr = f' rowspan="{span}"' if span > 1 else ""
    return f"<td{attr}>{escape(text)}</td>"
