"""Browser helpers for the web UI tests: axe-core runs, keyboard moves, page inspection."""

from __future__ import annotations

from typing import Any

# WCAG 2.2 AA and everything below it (axe-core tags).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
GOVUK_FOCUS_YELLOW = "rgb(255, 221, 0)"


def run_axe(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's violations for the current page (the script is injected through the
    DevTools protocol, so the page's CSP, which forbids inline scripts, stays in force)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target, html: n.html,
                                                       summary: n.failureSummary}))}));
        }""",
        AXE_TAGS,
    )
    return list(result)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for n in v["nodes"]:
            lines.append(f"    {n['target']}: {n['html'][:160]}")
    return "\n".join(lines)


def focused(page: Any) -> dict[str, Any]:
    """What has keyboard focus: tag, id, name, text, href, and its focus style."""
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            if (!e || e === document.body) return {tag: 'body'};
            const s = getComputedStyle(e);
            return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name'),
                    type: e.getAttribute('type'), value: e.value,
                    text: (e.innerText || '').trim(), href: e.getAttribute('href'),
                    background: s.backgroundColor, outline: s.outlineStyle,
                    boxShadow: s.boxShadow};
        }"""
    )


def tab_until(page: Any, match: Any, limit: int = 400) -> dict[str, Any]:
    """Press Tab until ``match(focused_element)`` is true; fails after ``limit`` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        f = focused(page)
        if match(f):
            return f
        seen.append(f.get("id") or f.get("text") or f.get("tag"))
    raise AssertionError(f"focus never reached the target; went through {seen[:40]}...")


def has_visible_focus(f: dict[str, Any]) -> bool:
    """GOV.UK focus states: a yellow background (links) or outline / box-shadow (controls)."""
    return (f.get("background") == GOVUK_FOCUS_YELLOW or f.get("outline") not in (None, "none")
            or f.get("boxShadow") not in (None, "none"))
