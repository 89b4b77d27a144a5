"""A Home-Office-DHR-Library-like search page, rendered from a list of synthetic cards.

The markup follows the real library's structure (GOV.UK design system: one
``<section aria-label="DHR result ...">`` per review with captioned values, "View" and "Download"
buttons pointing at the same extensionless ``/download/<id>``, 0-based
``?pagination[pageNumber]=N`` with ``pagination[pageSize]``, a "Showing results" count and a
"Next" link). The content is synthetic. The fixture server renders it per request so page size and
removed cards behave like the real service.
"""

from __future__ import annotations

import math
from html import escape
from urllib.parse import urlencode

DEFAULT_PAGE_SIZE = 10


def _card(card: dict) -> str:
    label = f"{card['pseudonym']} - {card['csp']} - {card['year']}/{card.get('suffix', 'a')} - DHR"
    tags = "".join(f'<strong class="govuk-tag govuk-tag--grey">{escape(t)}</strong> '
                   for t in card.get("tags", []))
    quarters = "".join(
        f"""
            <div class="govuk-grid-column-one-quarter">
                <span class="govuk-caption-m">{caption}</span>
                <span class="govuk-label dhrr-results-card--detail-value">{escape(value)}</span>
            </div>"""
        for caption, value in (("CSP", card["csp"]), ("CSP Region", card["region"]),
                               ("Uploaded on", card["uploaded"]), ("Date of death", card["death"])))
    buttons = ""
    for dl in card["downloads"]:
        name = escape(dl.get("name", label))
        buttons += f"""
          <a href="/download/{dl['id']}" aria-label="View {name} in a new tab"
             class="govuk-button govuk-button--secondary" data-module="govuk-button" \
target="_blank">View</a>
          <a href="/download/{dl['id']}" download="{name}" aria-label="Download {name}"
             class="govuk-button govuk-button--secondary" data-module="govuk-button">Download</a>"""
    return f"""
    <section aria-label="DHR result {escape(label)}">
        <div class="govuk-!-padding-top-3">
            <h3 class="govuk-heading-s">
                <span class="govuk-caption-m">DHR Title</span>
                {escape(card['pseudonym'])}
            </h3>
            {('<div class="dhrr-tags">' + tags + '</div>') if tags else ''}
        </div>
        <div class="govuk-grid-row govuk-!-padding-top-2">{quarters}
        </div>
        <div class="govuk-grid-row govuk-!-padding-top-2">
            <div class="govuk-grid-column-full">
              <div class="govuk-button-group govuk-!-margin-0">{buttons}
              </div>
              <hr class="govuk-section-break--visible"/>
            </div>
        </div>
    </section>"""


def render_search_page(cards: list[dict], page_number: int, page_size: int | None) -> str:
    size = page_size or DEFAULT_PAGE_SIZE
    total = len(cards)
    pages = max(1, math.ceil(total / size))
    shown = cards[page_number * size:(page_number + 1) * size]
    first, last = page_number * size + 1, page_number * size + len(shown)

    def href(n: int) -> str:
        q = {"pagination[pageNumber]": n}
        if page_size:
            q["pagination[pageSize]"] = page_size
        return "/?" + urlencode(q)

    items = "".join(
        f'<li class="hods-pagination__item"><a class="hods-pagination__link'
        f'{" hods-pagination__link--current" if n == page_number else ""}" href="{href(n)}">'
        f'<span class="govuk-visually-hidden">Page</span> {n + 1}</a></li>'
        for n in range(pages))
    if page_number + 1 < pages:
        items += ('<li class="hods-pagination__item" id="nextButton"><a class='
                  '"hods-pagination__link"'
                  f' href="{href(page_number + 1)}">Next <span class="govuk-visually-hidden">Page</'
                  'span>'
                  f' <span aria-hidden="true">»</span></a></li>')
    showing = (f"Showing results {first} to {last} of {total}" if shown
               else f"Showing results 0 to 0 of {total}")
    return f"""<!DOCTYPE html>
<html lang="en" class="govuk-template">
<head><meta charset="utf-8"><title>Search DHRs: Search the Domestic Homicide Review Library \
(synthetic fixture)</title></head>
<body class="govuk-template__body">
<div class="govuk-cookie-banner" role="region" aria-label="Cookies">
  <p class="govuk-body">We use some essential cookies to make this website work.</p>
  <button value="accept" type="submit" name="cookies" class="govuk-button">Accept</button>
  <a class="govuk-link" href="/cookies">View all cookies</a>
</div>
<header class="govuk-header"><a href="/" class="govuk-header__link">Search the Domestic Homicide \
Review Library</a></header>
<main class="govuk-main-wrapper" id="main-content">
  <h1 class="govuk-heading-l">List of Domestic Homicide Reviews (DHRs)</h1>
  <p class="govuk-body">Synthetic fixture modelled on the Home Office library's layout. No real \
review.</p>
  <form action="/" method="get"><h2 class="govuk-heading-m" id="filters-header">Filters</h2></form>
  <p class="govuk-body dhrr-results-count">{showing}</p>
  {''.join(_card(c) for c in shown)}
  <div class="hods-pagination"><ul class="hods-pagination__list-items">{items}</ul></div>
</main>
<footer class="govuk-footer">
  <a class="govuk-footer__link" href="/privacy-policy">Privacy policy</a>
  <a class="govuk-footer__link" href="/accessibility-statement">Accessibility statement</a>
</footer>
</body></html>
"""
