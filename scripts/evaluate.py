"""Score report understanding against ground truth (``make eval``).

Takes folders of ``<name>.<ext>`` + ``<name>.truth.json`` pairs (the sample generator's output,
or any hand-checked set), runs the real extraction (``ingest.extract``: PDF/DOCX/HTML parsing,
OCR, cleaning, then ``understanding.understand``) and prints, per split:

- accuracy per field: doc_type, pseudonym, area, region, year of death, review_type,
  death_type, victim sex, victim age band (null counts: predicting a value the truth does not
  have is an error, never a guess);
- micro precision / recall / F1 for agencies, themes and abuse_types (sets of ids per document);
- recommendations: precision / recall / F1 (a match is the same document and text similarity
  >= 0.9, difflib ratio on normalised text), addressee-agency accuracy on matched ones and
  accuracy of each SMART signal;
- action-plan rows (contract 2a ``actions``): precision / recall / F1 (a match is the same
  document, the same recommendation number and action texts similar >= 0.8), and on matched rows
  the accuracy of the target date, the status and the lead organisation (registry id and
  printed name); rows per format;
- throughput: pages/s of extraction alone and of understanding alone.

Without ``--dir`` it generates the synthetic corpus: ``train`` (seed 1) and ``heldout`` (seed 2,
phrasing and layout variants the rules were not written against; never tune on it) into
``artifacts/eval/``. ``dev`` (seed 3, its own variants in
``samples/reports/data/variants/dev.yaml``) is for finding generalisation failures and may be
tuned on; ``--split all`` runs train, dev and held-out. ``--text-only`` scores the truth's own clean
pages (no file parsing), for fast iteration. Exit code 1 when a held-out target is missed
(``--check``).

    python scripts/evaluate.py [--split train|dev|heldout|both|all] [--dir FOLDER] [--text-only]
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import shutil
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dhr.text import alnum_key  # (after the path set-up above)

FIELDS = ["doc_type", "pseudonym", "area", "region", "year_of_death", "review_type",
          "death_type", "victim_sex", "victim_age_band"]
# review type accuracy per true class; "null": documents that do not say (must stay null)
REVIEW_TYPE_CLASSES = ("intimate_partner", "adult_family", "household_member", "null")
SETS = ["agencies", "themes", "abuse_types"]
SMART = ["specific", "measurable", "time_bound"]
SEEDS = {"train": 1, "heldout": 2, "dev": 3}

# Held-out targets (issue 4): metric -> minimum.
TARGETS = {
    "recommendations.f1": 0.95, "recommendations.agency_accuracy": 0.90,
    "recommendations.owner_accuracy": 0.90,
    "agencies.f1": 0.90, "themes.f1": 0.85, "abuse_types.f1": 0.85,
    "doc_type": 0.95, "pseudonym": 0.95, "area": 0.95, "year_of_death": 0.95,
    "review_type": 0.90, "death_type": 0.90, "victim_sex": 0.90, "victim_age_band": 0.90,
    # Action plans (issue 14).
    "actions.f1": 0.90, "actions.target_date_accuracy": 0.90, "actions.status_accuracy": 0.90,
    "actions.lead_accuracy": 0.90,
}
MAX_TIME_RATIO = 1.5  # extraction with understanding / extraction alone

norm = alnum_key  # lower-case letters and digits (dhr.text)


def field_values(doc: dict[str, Any]) -> dict[str, Any]:
    review = doc.get("review") or {}
    victim = review.get("victim") or {}
    dod = review.get("date_of_death")
    return {
        "doc_type": doc.get("doc_type"),
        "pseudonym": norm(review.get("pseudonym")) or None,
        "area": review.get("area"),
        "region": review.get("region"),
        "year_of_death": dod[:4] if dod else None,
        "review_type": review.get("review_type"),
        "death_type": review.get("death_type"),
        "victim_sex": victim.get("sex"),
        "victim_age_band": victim.get("age_band"),
    }


def set_values(doc: dict[str, Any]) -> dict[str, set[str]]:
    return {
        "agencies": {a["id"] for a in doc.get("agencies") or []},
        "themes": {t["id"] for t in doc.get("themes") or []},
        "abuse_types": set((doc.get("review") or {}).get("abuse_types") or []),
    }


@dataclass
class ActionScore:
    """Action-plan rows (contract 2a ``actions``): a predicted row matches a true row of the same
    document when both serve the same recommendation number and their action texts are similar
    (difflib ratio >= 0.8 on normalised text, or both without an action column); target date,
    status and lead organisation (registry id and printed name) are scored on matched rows."""

    pred: int = 0
    true: int = 0
    matched: int = 0
    target_ok: int = 0
    status_ok: int = 0
    lead_ok: int = 0
    # per file extension: [true, predicted, matched, target date right, status right, lead right]
    by_format: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0] * 6))

    def metrics(self) -> dict[str, float | None]:
        out = _prf("actions", self.matched, self.pred - self.matched, self.true - self.matched)
        m = self.matched
        out["actions.target_date_accuracy"] = self.target_ok / m if m else None
        out["actions.status_accuracy"] = self.status_ok / m if m else None
        out["actions.lead_accuracy"] = self.lead_ok / m if m else None
        return out


def match_actions(pred: list[dict[str, Any]], truth: list[dict[str, Any]],
                  ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Greedy one-to-one matching of action rows (see :class:`ActionScore`), best pairs first."""
    pairs = []
    for i, p in enumerate(pred):
        for j, t in enumerate(truth):
            if (p.get("recommendation") or None) != (t.get("recommendation") or None):
                continue
            a, b = norm(p.get("action")), norm(t.get("action"))
            r = 1.0 if a == b else difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
            if r >= 0.8:
                pairs.append((r, -abs(i - j), i, j))
    used_p: set[int] = set()
    used_t: set[int] = set()
    out = []
    for _r, _d, i, j in sorted(pairs, reverse=True):
        if i in used_p or j in used_t:
            continue
        used_p.add(i)
        used_t.add(j)
        out.append((pred[i], truth[j]))
    return out


def _lead_key(action: dict[str, Any]) -> tuple[str | None, str]:
    lead = action.get("lead") or {}
    return lead.get("id"), norm(action.get("lead_name"))


def score_actions(score: ActionScore, name: str, pred: dict[str, Any], truth: dict[str, Any],
                  errors: list[str], fmt_key: str) -> None:
    pa, ta = pred.get("actions") or [], truth.get("actions") or []
    matched = match_actions(pa, ta)
    fmt = score.by_format[fmt_key]
    fmt[0] += len(ta)
    fmt[1] += len(pa)
    fmt[2] += len(matched)
    score.pred += len(pa)
    score.true += len(ta)
    score.matched += len(matched)
    got_p = {id(p) for p, _ in matched}
    got_t = {id(t) for _, t in matched}
    for p in pa:
        if id(p) not in got_p:
            errors.append(f"{name}: extra action row rec {p.get('recommendation')!r}: "
                          f"{(p.get('action') or '')[:80]!r} lead {p.get('lead_name')!r}")
    for t in ta:
        if id(t) not in got_t:
            errors.append(f"{name}: missed action row rec {t.get('recommendation')!r}: "
                          f"{(t.get('action') or '')[:80]!r} lead {t.get('lead_name')!r}")
    for p, t in matched:
        for k, (key, attr) in enumerate((("target_date", "target_ok"), ("status", "status_ok"))):
            if p.get(key) == t.get(key):
                setattr(score, attr, getattr(score, attr) + 1)
                fmt[3 + k] += 1
            else:
                errors.append(f"{name}: action rec {t.get('recommendation')} {key} {p.get(key)!r} "
                              f"truth {t.get(key)!r}")
        if _lead_key(p) == _lead_key(t):
            score.lead_ok += 1
            fmt[5] += 1
        else:
            errors.append(f"{name}: action rec {t.get('recommendation')} lead {_lead_key(p)!r} "
                          f"truth {_lead_key(t)!r}")


@dataclass
class Score:
    docs: int = 0
    pages: int = 0
    extract_s: float = 0.0
    understand_s: float = 0.0
    field_ok: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    set_tp: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    set_fp: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    set_fn: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    rec_pred: int = 0
    rec_true: int = 0
    rec_matched: int = 0
    rec_agency_ok: int = 0
    smart_ok: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)
    failed: int = 0
    # per file extension: [true, predicted, matched] recommendations
    by_format: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    actions: ActionScore = field(default_factory=ActionScore)
    # owners (contract 2a) on matched recommendations
    rec_owner_ok: int = 0
    rec_owners_ok: int = 0
    rec_owner_source_ok: int = 0
    rec_number_ok: int = 0
    # per pattern and per format: [true, matched, owner right, agency right]
    by_pattern: dict[str, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))
    owner_by_format: dict[str, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))
    # review type per true class ("null" when the text is silent): [documents, right]
    review_type_by_class: dict[str, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0]))

    def metrics(self) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for f in FIELDS:
            out[f] = self.field_ok[f] / self.docs if self.docs else None
        for cls in REVIEW_TYPE_CLASSES:
            n, ok = self.review_type_by_class.get(cls, (0, 0))
            out[f"review_type.{cls}"] = ok / n if n else None
        for s in SETS:
            out.update(_prf(s, self.set_tp[s], self.set_fp[s], self.set_fn[s]))
        out.update(_prf("recommendations", self.rec_matched, self.rec_pred - self.rec_matched,
                        self.rec_true - self.rec_matched))
        m = self.rec_matched
        out["recommendations.agency_accuracy"] = self.rec_agency_ok / m if m else None
        out["recommendations.owner_accuracy"] = self.rec_owner_ok / m if m else None
        out["recommendations.owners_exact"] = self.rec_owners_ok / m if m else None
        out["recommendations.owner_source_accuracy"] = self.rec_owner_source_ok / m if m else None
        out["recommendations.number_accuracy"] = self.rec_number_ok / m if m else None
        for s in SMART:
            out[f"smart.{s}"] = self.smart_ok[s] / m if m else None
        out.update(self.actions.metrics())
        out["pages_per_s.extract"] = self.pages / self.extract_s if self.extract_s else None
        out["pages_per_s.understand"] = (self.pages / self.understand_s if self.understand_s
                                         else None)
        # Whole extraction with understanding over extraction alone (target <= 1.5).
        out["time_ratio.with_understanding"] = (
            (self.extract_s + self.understand_s) / self.extract_s
                                                if self.extract_s else None)
        return out


def _prf(name: str, tp: int, fp: int, fn: int) -> dict[str, float | None]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f1 = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
    return {f"{name}.precision": p, f"{name}.recall": r, f"{name}.f1": f1}


def match_recommendations(pred: list[dict[str, Any]], truth: list[dict[str, Any]],
                          ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Greedy one-to-one matching by text similarity >= 0.9 (best pairs first)."""
    pairs = []
    pn = [norm(p["text"]) for p in pred]
    tn = [norm(t["text"]) for t in truth]
    for i, a in enumerate(pn):
        for j, b in enumerate(tn):
            sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
            if sm.real_quick_ratio() < 0.9 or sm.quick_ratio() < 0.9:
                continue
            r = sm.ratio()
            if r >= 0.9:
                pairs.append((r, i, j))
    used_p: set[int] = set()
    used_t: set[int] = set()
    out = []
    for _r, i, j in sorted(pairs, reverse=True):
        if i in used_p or j in used_t:
            continue
        used_p.add(i)
        used_t.add(j)
        out.append((pred[i], truth[j]))
    return out


def score_document(score: Score, name: str, pred: dict[str, Any], truth: dict[str, Any]) -> None:
    score.docs += 1
    pv, tv = field_values(pred), field_values(truth)
    by_class = score.review_type_by_class[tv["review_type"] or "null"]
    by_class[0] += 1
    by_class[1] += pv["review_type"] == tv["review_type"]
    for f in FIELDS:
        if pv[f] == tv[f]:
            score.field_ok[f] += 1
        else:
            score.errors.append(f"{name}: {f} predicted {pv[f]!r}, truth {tv[f]!r}")
    ps, ts = set_values(pred), set_values(truth)
    for s in SETS:
        score.set_tp[s] += len(ps[s] & ts[s])
        score.set_fp[s] += len(ps[s] - ts[s])
        score.set_fn[s] += len(ts[s] - ps[s])
        if ps[s] != ts[s]:
            score.errors.append(f"{name}: {s} extra {sorted(ps[s] - ts[s])} "
                                f"missing {sorted(ts[s] - ps[s])}")
    prec, trec = pred.get("recommendations") or [], truth.get("recommendations") or []
    matched = match_recommendations(prec, trec)
    fmt_key = name.rsplit(".", 1)[-1] + ("+ocr" if pred.get("ocr_pages") else "")
    score_actions(score.actions, name, pred, truth, score.errors, fmt_key)
    fmt = score.by_format[fmt_key]
    fmt[0] += len(trec)
    fmt[1] += len(prec)
    fmt[2] += len(matched)
    score.rec_pred += len(prec)
    score.rec_true += len(trec)
    score.rec_matched += len(matched)
    got_p = {id(p) for p, _ in matched}
    got_t = {id(t) for _, t in matched}
    for p in prec:
        if id(p) not in got_p:
            score.errors.append(f"{name}: extra recommendation {p.get('number')!r}: "
                                f"{p['text'][:150]!r}")
    for t in trec:
        if id(t) not in got_t:
            score.errors.append(f"{name}: missed recommendation {t.get('number')!r}: "
                                f"{t['text'][:150]!r}")
    _score_owners(score, name, pred, truth, trec, matched)
    for p, t in matched:
        if p.get("agency") == t.get("agency"):
            score.rec_agency_ok += 1
        else:
            score.errors.append(f"{name}: rec {t.get('number')} agency {p.get('agency')!r} "
                                f"truth {t.get('agency')!r}: {t['text'][:90]!r}")
        for s in SMART:
            if bool((p.get("smart") or {}).get(s)) == bool((t.get("smart") or {}).get(s)):
                score.smart_ok[s] += 1
            else:
                score.errors.append(f"{name}: rec {t.get('number')} smart.{s} "
                                    f"{(p.get('smart') or {}).get(s)} truth: {t['text'][:120]!r}")


def _org_id(rec: dict[str, Any]) -> str | None:
    return (rec.get("organisation") or {}).get("id")


def rec_patterns(truth_doc: dict[str, Any], rec: dict[str, Any]) -> list[str]:
    """The owner and numbering patterns a true recommendation shows (from the generator's
    ``provenance.sample_owner_patterns`` and the recommendation itself)."""
    info = (truth_doc.get("provenance") or {}).get("sample_owner_patterns") or {}
    out = [f"layout:{info['layout']}"] if info.get("layout") else []
    out.append(f"owner_source:{rec.get('owner_source') or 'none'}")
    if len(rec.get("organisations") or []) > 1:
        out.append("two_owners")
    words = set(re.findall(r"[A-Za-z&]+", rec.get("text") or ""))
    if words & set(info.get("abbreviations") or []):
        out.append("abbreviation")
    if any(g in (rec.get("text") or "") for g in info.get("generic") or []):
        out.append("generic_short_form")
    number = rec.get("number") or ""
    if number.count(".") >= 2:
        out.append("numbering:multi_level")
    return out


def _score_owners(score: Score, name: str, pred: dict[str, Any], truth: dict[str, Any],
                  trec: list[dict[str, Any]], matched: list[tuple[dict[str, Any], dict[str, Any]]],
                  ) -> None:
    fmt = name.rsplit(".", 1)[-1] + ("+ocr" if pred.get("ocr_pages") else "")
    by_truth = {id(t): p for p, t in matched}
    for t in trec:
        p = by_truth.get(id(t))
        owner_ok = p is not None and _org_id(p) == _org_id(t)
        agency_ok = p is not None and p.get("agency") == t.get("agency")
        for key in rec_patterns(truth, t):
            row = score.by_pattern[key]
            row[0] += 1
            row[1] += p is not None
            row[2] += owner_ok
            row[3] += agency_ok
        row = score.owner_by_format[fmt]
        row[0] += 1
        row[1] += p is not None
        row[2] += owner_ok
        row[3] += agency_ok
        if p is None:
            continue
        score.rec_owner_ok += owner_ok
        if not owner_ok:
            score.errors.append(f"{name}: rec {t.get('number')} owner {_org_id(p)!r} truth "
                                f"{_org_id(t)!r} ({t.get('owner_source')}): {t['text'][:90]!r}")
        ids_p = [o.get("id") for o in p.get("organisations") or []]
        ids_t = [o.get("id") for o in t.get("organisations") or []]
        score.rec_owners_ok += ids_p == ids_t
        score.rec_owner_source_ok += p.get("owner_source") == t.get("owner_source")
        score.rec_number_ok += p.get("number") == t.get("number")
        if p.get("number") != t.get("number"):
            score.errors.append(f"{name}: rec number {p.get('number')!r} truth "
                                f"{t.get('number')!r}: "
                                f"{t['text'][:60]!r}")


def pairs_in(folder: Path) -> list[tuple[Path, Path]]:
    out = []
    for truth in sorted(folder.glob("*.truth.json")):
        stem = truth.name[: -len(".truth.json")]
        files = [p for p in folder.glob(f"{stem}.*")
                 if p.name != truth.name and not p.name.endswith((".layout.json", ".truth.json"))]
        if files:
            out.append((files[0], truth))
    return out


def run_folder(folder: Path, *, text_only: bool, cache: Path | None = None) -> Score:
    from understanding.understand import understand_text

    score = Score()
    for path, truth_path in pairs_in(folder):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if text_only:
            t0 = time.perf_counter()
            pred = understand_text(truth["pages"])
            score.understand_s += time.perf_counter() - t0
            score.pages += len(truth["pages"])
        else:
            pred = _extract(path, score, cache)
            if pred is None:
                pred = {}
        score_document(score, path.name, pred, truth)
    return score


def _extract(path: Path, score: Score, cache: Path | None) -> dict[str, Any] | None:
    """Extract a file (or reuse its cached extraction, keyed by content and extractor version)
    and understand it; extraction and understanding are timed apart."""
    import hashlib
    import pickle

    from ingest.extract import EXTRACTOR_VERSION, extract_structured, to_document

    content = path.read_bytes()
    key = hashlib.sha256(content).hexdigest()
    cached = cache / f"{key}-{EXTRACTOR_VERSION}.pickle" if cache else None
    try:
        if cached is not None and cached.exists():
            extracted, extract_s = pickle.loads(cached.read_bytes())  # our own cache file
        else:
            t0 = time.perf_counter()
            extracted = extract_structured(path)
            extract_s = time.perf_counter() - t0
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_bytes(pickle.dumps((extracted, extract_s)))
        t1 = time.perf_counter()
        document = to_document(extracted, content, filename=path.name)
        t2 = time.perf_counter()
    except Exception as exc:  # noqa: BLE001 - a failed file scores as empty, and is reported
        score.failed += 1
        score.errors.append(f"{path.name}: extraction failed: {exc}")
        return None
    score.extract_s += extract_s
    score.understand_s += t2 - t1
    score.pages += extracted.page_count
    return document.to_json_dict()


def corpus_dir(split: str, n_reviews: int, text_only: bool) -> Path:
    from samples.reports import generate_corpus

    seed = SEEDS[split]
    folder = ROOT / "artifacts" / "eval" / (f"{split}-s{seed}-n{n_reviews}"
                                            f"{'-txt' if text_only else ''}")
    marker = folder / ".complete"
    version = generator_fingerprint()
    if not marker.exists() or marker.read_text().strip() != version:
        # a corpus made by another version of the generator is made again, never reused
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        generate_corpus(folder, seed=seed, n_reviews=n_reviews, split=split, text_only=text_only)
        marker.write_text(version + "\n")
    return folder


def generator_fingerprint() -> str:
    """sha256 over the sample generator's code and data (``samples/``): a cached corpus is
    reused only when it was generated by exactly this generator."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "samples").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml", ".yml", ".json", ".txt"):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _fmt(v: float | None, pct: bool = True) -> str:
    if v is None:
        return "-"
    return f"{v:.3f}" if pct else f"{v:.0f}"


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "-"


def _fmt2(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}x"


def print_table(results: dict[str, Score]) -> bool:
    names = list(results)
    metrics = {n: s.metrics() for n, s in results.items()}
    keys = list(next(iter(metrics.values())).keys()) if metrics else []
    ok = True
    head = f"{'metric':38}" + "".join(f"{n:>12}" for n in names) + f"{'target':>9}  held-out"
    print(head)
    print("-" * len(head))
    for k in keys:
        row = f"{k:38}" + "".join(
            f"""{_fmt(metrics[n][k], not k.startswith('pages'))
                 if not k.startswith('time_') else _fmt2(metrics[n][k]):>12}"""
            for n in names)
        target = TARGETS.get(k)
        if target is not None:
            row += f"{target:>9.2f}"
            held = metrics.get("heldout", {}).get(k)
            if held is not None:
                passed = held >= target
                ok &= passed
                row += "  " + ("ok" if passed else "MISSED")
        print(row)
    for n, s in results.items():
        print(f"{n}: {s.docs} documents, {s.pages} pages, {s.rec_true} true recommendations, "
              f"{s.failed} failed extractions")
        print("  recommendations by format (true/predicted/matched): " + ", ".join(
            f"{k} {v[0]}/{v[1]}/{v[2]}" for k, v in sorted(s.by_format.items())))
        print("  action rows by format (true/predicted/matched; target date, status, lead accuracy "
              "on matched): " + ", ".join(
                  f"{k} {v[0]}/{v[1]}/{v[2]}; {_ratio(v[3], v[2])} {_ratio(v[4], v[2])} "
                  f"{_ratio(v[5], v[2])}"
                  for k, v in sorted(s.actions.by_format.items()) if v[0] or v[1]))
        if s.by_pattern:
            print("  per pattern / per format: true, recall, owner accuracy, agency accuracy "
                  "(over all true recommendations; a missed one counts as wrong)")
            for label, table in (("pattern", s.by_pattern), ("format", s.owner_by_format)):
                for k, v in sorted(table.items()):
                    print(f"    {label:7} {k:34} {v[0]:5d} {v[1] / v[0]:7.3f} {v[2] / v[0]:7.3f} "
                          f"{v[3] / v[0]:7.3f}")
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["train", "heldout", "dev", "both", "all"], default="both")
    ap.add_argument("--dir", type=Path, action="append",
                    help="score this folder of <name>.<ext> + <name>.truth.json pairs (repeatable)")
    ap.add_argument("--n-reviews", type=int, default=20, help="reviews per generated split")
    ap.add_argument("--text-only", action="store_true",
                    help="score the truth's clean pages directly (no file parsing)")
    ap.add_argument("--errors", type=int, default=0, metavar="N",
                    help="print the first N errors per split (never for heldout: do not tune on "
                         "it)")
    ap.add_argument("--json", type=Path, help="also write the metrics as JSON here")
    ap.add_argument("--cache", type=Path, default=None,
                    help="keep extractions here and reuse them (understanding is always re-run; "
                         "extraction times are the first run's)")
    ap.add_argument("--check", action="store_true", help="exit 1 when a held-out target is missed")
    args = ap.parse_args(argv)

    folders: dict[str, Path] = {}
    if args.dir:
        for d in args.dir:
            folders[d.name] = d
    else:
        splits = {"both": ["train", "heldout"], "all": ["train", "dev", "heldout"]}.get(
            args.split, [args.split])
        for split in splits:
            folders[split] = corpus_dir(split, args.n_reviews, args.text_only)
    results = {}
    for name, folder in folders.items():
        results[name] = run_folder(folder, text_only=args.text_only, cache=args.cache)
    mode = "text-only (truth pages)" if args.text_only else "full extraction"
    print(f"Understanding evaluation, {mode}")
    ok = print_table(results)
    if args.errors:
        for name, s in results.items():
            if name == "heldout":
                continue  # never tune on the held-out split: its errors are not shown
            print(f"\n== first {args.errors} errors in {name}")
            for e in s.errors[: args.errors]:
                print("  " + e)
    if args.json:
        args.json.write_text(json.dumps({n: s.metrics() for n, s in results.items()}, indent=1))
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
