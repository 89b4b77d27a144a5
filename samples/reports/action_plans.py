"""Action-plan tables of the synthetic reports, in many layouts, with the truth of every row.

Called by ``content.py`` for the action plan document and the overview report's appendix. The
layouts and wordings are data (``data/action_plans.yaml``, one section per split): the Home
Office template (headers from the split's ``action_plan_columns``), short progress tables,
reordered and renamed columns, recommendation cells merged over several actions, rows split in
two (a long action carrying on in the next row, as when a row breaks over a page), rows that do
break over a PDF page (``page_split``: the cells carry on at the top of the next page, under a
repeated header row or not, sometimes marked "(continued)"), and printed
dates and progress texts in the split's own wordings. Each row's truth is a contract 2a action
(``recommendation`` number, ``action``, ``lead`` (the registry organisation the generator meant,
``owners.owner_org``), ``lead_name`` (as printed: the addressee's name, or the abbreviation the
review introduced), ``milestones``, ``target_date``, ``completed_date``, ``outcome``,
``status``); ``truth.py`` adds the page it is printed on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import banks
from .blocks import Table
from .owners import owner_org, owner_plan, ref, table_truth
from .recommendations import DraftRec
from .writer import MONTHS, Writer, bare_name, capitalise

STATUSES = ("completed", "in_progress", "not_started", "not_accepted", "superseded", None)
STATUS_WEIGHTS = (34, 34, 12, 6, 6, 8)
MILESTONES = ("Policy revised; staff briefed; audit completed",
              "Working group set up; guidance issued",
              "Training delivered to all staff; compliance audited")
WIDTHS = {"recommendation": 2.9, "number": 1.1, "scope": 1.1, "action": 2.2, "lead": 1.6,
          "milestones": 1.5, "target_date": 1.6, "completion": 1.7, "progress": 1.7}
SEASONS = {12: "Winter", 1: "Winter", 2: "Winter", 3: "Spring", 4: "Spring", 5: "Spring",
           6: "Summer", 7: "Summer", 8: "Summer", 9: "Autumn", 10: "Autumn", 11: "Autumn"}


def layouts(split: str) -> list[dict[str, Any]]:
    return list(banks.load("action_plans")[split]["layouts"])


def _columns(layout: dict[str, Any], split: str) -> list[tuple[str, str]]:
    if "columns" in layout:
        return [(k, h) for k, h in layout["columns"]]
    headers = banks.variants(split)["action_plan_columns"]
    return list(zip(layout["kinds"], headers, strict=True))


def _fy_start(d: dt.date) -> int:
    return d.year if d.month >= 4 else d.year - 1


def _date_fields(d: dt.date) -> dict[str, Any]:
    fy = _fy_start(d)
    last = (dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return {"month": MONTHS[d.month], "mon": MONTHS[d.month][:3], "mm": f"{d.month:02d}",
            "yyyy": d.year, "yy": f"{d.year % 100:02d}", "dd": f"{last:02d}",
            "q": (d.month - 4) % 12 // 3 + 1, "cq": (d.month - 1) // 3 + 1,
            "fy": f"{fy}/{(fy + 1) % 100:02d}", "fy_dash": f"{fy}-{(fy + 1) % 100:02d}",
            "fy_short": f"{fy % 100:02d}/{(fy + 1) % 100:02d}", "season": SEASONS[d.month]}


def date_truth(kind: str, d: dt.date) -> str | None:
    """What a printed target date names (see data/action_plans.yaml), independent of ingest."""
    if kind == "month":
        return f"{d.year}-{d.month:02d}"
    if kind == "fy_quarter":
        q = (d.month - 4) % 12 // 3 + 1
        fy = _fy_start(d)
        return f"{fy + 1}-03" if q == 4 else f"{fy}-{q * 3 + 3:02d}"
    if kind == "cal_quarter":
        return f"{d.year}-{((d.month - 1) // 3 + 1) * 3:02d}"
    if kind == "fy_end":
        return f"{_fy_start(d) + 1}-03"
    if kind == "year":
        return str(d.year)
    return None


class _Rows:
    """Builds the printed rows and their truth for one table."""

    def __init__(self, w: Writer, split: str, layout: dict[str, Any], doc_type: str) -> None:
        self.w, self.bank, self.layout = w, banks.load("action_plans")[split], layout
        self.rng = w.case.rng(f"action_plan:{doc_type}")
        self.cols = _columns(layout, split)
        self.kinds = [k for k, _ in self.cols]
        self.rows: list[list[str]] = []
        self.actions: dict[int, dict[str, Any]] = {}
        self.recs: dict[int, dict[str, Any]] = {}
        self.merged: set[tuple[int, int]] = set()

    def _date(self, base: dt.date) -> tuple[str, str | None]:
        form = self.rng.choice(self.bank["target_forms"])
        return form["form"].format(**_date_fields(base)), date_truth(form["truth"], base)

    def _progress(self, kind: str, lead: str) -> tuple[str, dict[str, Any]]:
        status = self.rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        truth = {"status": status, "completed_date": None, "outcome": None}
        if status is None:
            return "", truth
        forms = self.bank["completion_forms" if kind == "completion" else "progress_forms"][status]
        form = self.rng.choice(forms)
        text, dated = (form["form"], form["date"]) if isinstance(form, dict) else (form, False)
        done = self.w.target + dt.timedelta(days=30 * self.rng.randint(-8, 2))
        fill = {"outcome": self.rng.choice(self.bank["outcomes"]),
                "note": self.rng.choice(self.bank["notes"]),
                "superseder": self.rng.choice(self.bank["superseders"]),
                "by": lead if lead and not lead.startswith("All ") else "the partnership"}
        printed = text.format(**fill, **_date_fields(done))
        if dated:
            truth["completed_date"] = f"{done.year}-{done.month:02d}"
        used = [k for k in ("outcome", "note", "superseder", "by") if "{" + k + "}" in text]
        if used:
            truth["outcome"] = capitalise(fill[used[0]])
        return capitalise(printed), truth

    def _lead(self, r: DraftRec) -> tuple[str, dict[str, str] | None]:
        """The lead column as printed (the addressee's name, or the abbreviation the review
        introduced for it) and the registry organisation it names."""
        if not r.agency or not r.display:
            return "All partner agencies", None
        case = self.w.case
        org = ref(owner_org(case, r.agency, r.display))
        abbr = owner_plan(case).abbreviations.get(r.agency)
        if abbr and self.rng.random() < 0.5:
            return abbr, org
        return bare_name(r.display), org

    def add(self, index: int, r: DraftRec, rec_truth: dict[str, Any]) -> None:
        layout, rng, kinds = self.layout, self.rng, self.kinds
        ref = r.number or str(index + 1)
        numbered = layout.get("numbering") == "ref" and "number" in kinds
        number = ref if numbered else r.number
        rec_cell = r.text if numbered or not r.prefix else f"{r.prefix} {r.text}"
        lead, lead_org = self._lead(r)
        n_actions = 2 if layout.get("merge") and "action" in kinds and rng.random() < 0.45 else 1
        first_row = len(self.rows)
        for k in range(n_actions):
            action = (r.action if k == 0 else rng.choice(self.bank["second_actions"])) + "."
            base = self.w.target + dt.timedelta(days=30 * rng.randint(-4, 4))
            target_text, target_truth = self._date(base)
            status_kind = "completion" if "completion" in kinds else "progress"
            progress_text, progress_truth = self._progress(status_kind, lead)
            milestones = rng.choice(MILESTONES)
            values = {"recommendation": rec_cell if k == 0 else "",
                      "number": number or "" if k == 0 else "",
                      "scope": (r.truth["scope"] or "local").capitalize() if k == 0 else "",
                      "action": action, "lead": lead, "milestones": milestones,
                      "target_date": target_text, "completion": progress_text,
                      "progress": progress_text}
            row = [values[kind] for kind in kinds]
            if k > 0:
                self.merged.update((len(self.rows), j) for j, kind in enumerate(kinds)
                                   if kind in ("recommendation", "number", "scope"))
            self.actions[len(self.rows)] = {
                "recommendation": number, "action": action if "action" in kinds else None,
                "lead": lead_org, "lead_name": lead,
                "milestones": milestones if "milestones" in kinds else None,
                "target_date": target_truth if "target_date" in kinds else None,
                **progress_truth, "page": None}
            words = action.split()
            if layout.get("split") and "action" in kinds and len(words) >= 6 and rng.random() < 0.4:
                cut = len(words) // 2
                row[kinds.index("action")] = " ".join(words[:cut])
                rest = ["" for _ in kinds]
                rest[kinds.index("action")] = " ".join(words[cut:])
                self.rows.append(row)
                self.rows.append(rest)
            else:
                self.rows.append(row)
        self.recs[first_row] = {**rec_truth, "number": number}

    def table(self) -> Table:
        t = Table([h for _, h in self.cols], self.rows, [WIDTHS[k] for k in self.kinds], self.recs)
        t.actions = self.actions
        t.merged = self.merged
        split = self.bank.get("page_split")
        if split and self.rng.random() < split["share"]:
            # In PDFs a row reaching the page foot carries on on the next page (paginate.py).
            t.split_rows = True
            t.repeat_header = self.rng.random() < split["repeat_header"]
            t.continued = self.rng.choice(split["markers"])
        return t


def action_plan_table(w: Writer, recs: list[DraftRec], doc_type: str) -> Table:
    """The action plan of a review for one document (layout rotates with the review and the
    document, so a small corpus shows every layout)."""
    case = w.case
    options = layouts(case.split)
    layout = options[(case.index + (doc_type == "action_plan")) % len(options)]
    rows = _Rows(w, case.split, layout, doc_type)
    for i, r in enumerate(recs):
        rows.add(i, r, table_truth(r))
    return rows.table()
