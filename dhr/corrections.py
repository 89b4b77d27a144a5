"""Human corrections of a review's fields, laid over what extraction and the sources say.

A correction (made by an editor of the review's Community Safety Partnership or an admin, kept
in the tracker: ``accountability/corrections.py``) sets one review-level field of every document
of a review. This module is the core half, pure functions on Documents:

- :func:`validate`: a field name and a value in the Document's terms (taxonomy ids, the date
  pattern, ...) or a :class:`CorrectionError` naming what is wrong;
- :func:`apply`: the Document with corrections laid over it, last layer of the stored Document
  (extraction, then the sources' merge, then corrections). Each applied correction is recorded in
  ``provenance["corrections"]`` with the value it replaced (so :func:`strip` restores exactly
  what extraction and the sources said), the value they say now (``underlying``) and the value
  they said when the correction was first applied (``baseline``); ``provenance["fields"]`` marks
  the field ``{"from": "correction", ...}`` for the document page;
- :func:`strip`: the Document JSON without its corrections (the merge starts from it);
- :func:`records_of`: the corrections a stored Document carries, so a re-extraction (a new
  extractor version) or a re-merge lays them over the new result (``ingest/resync.py``) and
  ``dhr index --rebuild`` indexes them, with no call upward to the tracker;
- :func:`disagreements`: corrections whose underlying value moved: extraction now gives a value
  other than the one corrected, or the corrected value itself (the correction may no longer be
  needed). A person looks at them (``dhr corrections review``).

A correction of one review recommendation (its text, scope or owners: :data:`REC_FIELDS`) is
laid over the matching entry of each Document's ``recommendations`` (the tracker's appearance
of it in that document: its number as printed and its extracted text, :func:`locate`), in the
same ``provenance["corrections"]`` list, with the entry's index and the values it replaced, so
:func:`strip` restores the extracted entry exactly. A corrected owner sets ``organisation``,
``organisations`` and ``owner_source: "correction"`` (contract 2a), and the first owner's agency
type and name (the search index's ``agency`` facet follows it).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from .document import DATE_OF_DEATH_PATTERN, Document
from .taxonomy import age_band, ids, label

# field name -> (where in the Document JSON, taxonomy kind for its values or None)
FIELDS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "pseudonym": (("review", "pseudonym"), None),
    "area": (("review", "area"), None),
    "region": (("review", "region"), "region"),
    "date_of_death": (("review", "date_of_death"), None),
    "review_type": (("review", "review_type"), "review_type"),
    "death_type": (("review", "death_type"), "death_type"),
    "victim.age": (("review", "victim", "age"), None),
    "victim.age_band": (("review", "victim", "age_band"), "victim_age_band"),
    "victim.sex": (("review", "victim", "sex"), "victim_sex"),
    "abuse_types": (("review", "abuse_types"), "abuse_type"),
    "themes": (("themes",), "theme"),
    "agencies": (("agencies",), "agency"),
}
LIST_FIELDS = ("abuse_types", "themes", "agencies")
KEY_FIELDS = ("area", "pseudonym", "date_of_death")  # they make the review_key
NULLABLE = ("region", "date_of_death", "review_type", "death_type", "victim.age",
            "victim.age_band", "victim.sex")
MAX_TEXT = 200
# A review recommendation's fields (the tracker's ``text``, ``scope``, ``owners``), as the core
# names them; their corrections are laid over one entry of ``recommendations``.
REC_FIELDS = ("recommendation.text", "recommendation.scope", "recommendation.owners")
CLOSE_WORDING = 0.85  # same number and this similar: the same recommendation re-extracted
# The keys of a recommendation entry each corrected field sets (so strip restores them).
_REC_KEYS = {"recommendation.text": ("text",), "recommendation.scope": ("scope",),
             "recommendation.owners": ("organisation", "organisations", "owner_source",
                                       "agency", "agency_name")}
_DATE = re.compile(DATE_OF_DEATH_PATTERN)
_UNSTORABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


class CorrectionError(ValueError):
    """A field or value a correction cannot take; ``field`` names the offending input."""

    def __init__(self, message: str, field: str | None = "value"):
        super().__init__(message)
        self.field = field


def field_label(field: str) -> str:
    return {"victim.age": "victim age", "victim.age_band": "victim age band",
            "victim.sex": "victim sex", "date_of_death": "date of death",
            "review_type": "review type", "death_type": "type of death",
            "abuse_types": "types of abuse"}.get(field, field.replace("_", " "))


def validate(field: Any, value: Any) -> Any:
    """The value in the Document's terms for ``field``; raises :class:`CorrectionError`."""
    if not isinstance(field, str) or field not in FIELDS:
        raise CorrectionError(f"field must be one of {', '.join(FIELDS)}", "field")
    kind = FIELDS[field][1]
    if field in LIST_FIELDS:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CorrectionError(f"{field} takes a list of ids (from taxonomy.md)")
        assert kind is not None
        bad = [v for v in value if v not in ids(kind)]
        if bad:
            raise CorrectionError(f"{bad[0]!r} is not a valid {kind.replace('_', ' ')} id; "
                                  f"one of: {', '.join(ids(kind))}")
        return sorted(set(value))
    if value is None or (isinstance(value, str) and not value.strip()):
        if field in NULLABLE:
            return None
        raise CorrectionError(f"{field} cannot be empty")
    if field == "victim.age":
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120:
            raise CorrectionError("victim.age must be a whole number from 0 to 120")
        return value
    if not isinstance(value, str):
        raise CorrectionError(f"{field} must be a string")
    value = " ".join(value.split())
    if _UNSTORABLE.search(value):
        raise CorrectionError(f"{field} contains control characters")
    if kind is not None:
        if value not in ids(kind):
            raise CorrectionError(f"{value!r} is not a valid {kind.replace('_', ' ')} id; one of: "
                                  f"{', '.join(ids(kind))}")
        return value
    if field == "date_of_death" and not _DATE.match(value):
        raise CorrectionError("date_of_death must be a year (2019) or a year and month (2019-05)")
    if len(value) > MAX_TEXT:
        raise CorrectionError(f"{field} is longer than {MAX_TEXT} characters")
    return value


def display(field: str, value: Any) -> str:
    """A value as people read it (taxonomy labels, lists joined)."""
    kind = FIELDS.get(field, ((), None))[1]
    if value is None or value == []:
        return "Not known" if field not in LIST_FIELDS else "None"
    if isinstance(value, list):
        return ", ".join(label(kind, v) if kind else str(v) for v in value)
    return label(kind, str(value)) if kind else str(value)


# -- reading and writing a field of the Document JSON -------------------------------------------
def _node(data: dict[str, Any], path: tuple[str, ...], create: bool = True) -> dict[str, Any]:
    node = data
    for p in path[:-1]:
        nxt = node.get(p)
        if not isinstance(nxt, dict):
            nxt = {}
            if create:
                node[p] = nxt
        node = nxt
    return node


def raw_value(data: dict[str, Any], field: str) -> Any:
    """What the Document JSON holds for ``field`` (as stored: theme/agency objects included)."""
    path = FIELDS[field][0]
    return copy.deepcopy(_node(data, path, create=False).get(path[-1]))


def value_of(data: dict[str, Any], field: str) -> Any:
    """The field's value in correction terms (themes and agencies as sorted id lists)."""
    raw = raw_value(data, field)
    if field in ("themes", "agencies"):
        return sorted({x["id"] for x in raw or [] if isinstance(x, dict) and x.get("id")})
    if field == "abuse_types":
        return sorted(raw or [])
    return raw


def _set(data: dict[str, Any], field: str, value: Any) -> None:
    """Set the field to a correction's value (themes/agencies keep what they had of the ids)."""
    path = FIELDS[field][0]
    node = _node(data, path)
    if field in ("themes", "agencies"):
        kind = FIELDS[field][1]
        assert kind is not None
        kept = [x for x in node.get(path[-1]) or [] if x.get("id") in value]
        have = {x["id"] for x in kept}
        for v in value:
            if v not in have:
                kept.append({"id": v, "mentions": 0, "evidence": []} if field == "themes"
                            else {"id": v, "name": label(kind, v), "mentions": 0})
        node[path[-1]] = kept
    else:
        node[path[-1]] = copy.deepcopy(value)
        if field == "victim.age" and value is not None:
            node["age_band"] = age_band(value)


# -- the overlay --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Applied:
    """One correction as a stored Document carries it (``provenance["corrections"]``)."""

    id: int
    field: str
    value: Any
    old_value: Any
    reason: str
    organisation: str | None
    organisation_name: str | None
    at: str  # ISO date-time of the correction
    # A recommendation correction: which entry of ``recommendations`` (``{"recommendation":
    # tracker id, "number": as printed, "text": as extracted}``); None for a review field.
    target: dict[str, Any] | None = None

    def record(self) -> dict[str, Any]:
        out = {"id": self.id, "field": self.field, "value": self.value,
               "old_value": self.old_value, "reason": self.reason,
               "organisation": self.organisation, "organisation_name": self.organisation_name,
               "at": self.at}
        if self.target is not None:  # (its text is the extracted one: not for the public)
            out["target"] = dict(self.target)
            out["recommendation"] = self.target.get("recommendation")
        return out


def records_of(doc: Document | dict[str, Any] | None) -> list[Applied]:
    """The corrections a stored Document carries (empty for none)."""
    if doc is None:
        return []
    prov = doc.provenance if isinstance(doc, Document) else (doc.get("provenance") or {})
    out = []
    for r in prov.get("corrections") or []:
        try:
            target = r.get("target")
            out.append(Applied(int(r["id"]), str(r["field"]), r.get("value"), r.get("old_value"),
                               str(r.get("reason") or ""), r.get("organisation"),
                               r.get("organisation_name"), str(r.get("at") or ""),
                               dict(target) if isinstance(target, dict) else None))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def strip(data: dict[str, Any]) -> dict[str, Any]:
    """The Document JSON as extraction and the sources left it: corrections undone (newest
    first), their records and field marks removed. A copy; idempotent."""
    data = copy.deepcopy(data)
    prov = data.get("provenance")
    if not isinstance(prov, dict) or not prov.get("corrections"):
        return data
    for r in reversed(prov.get("corrections") or []):
        field = r.get("field")
        if field in REC_FIELDS:
            _unset_rec(data, r)
            continue
        if field not in FIELDS or "replaced" not in r:
            continue
        path = FIELDS[field][0]
        node = _node(data, path)
        node[path[-1]] = copy.deepcopy(r["replaced"])
        if field == "victim.age" and "replaced_age_band" in r:
            node["age_band"] = r["replaced_age_band"]
    prov.pop("corrections", None)
    if "review_key_before_corrections" in prov:
        data["review_key"] = prov.pop("review_key_before_corrections")
    fields = {k: v for k, v in (prov.get("fields") or {}).items()
              if not (isinstance(v, dict) and v.get("from") == "correction")}
    prov.pop("fields", None)
    if fields:
        prov["fields"] = fields
    return data


def apply(doc: Document, corrections: list[Applied],
          previous: list[dict[str, Any]] | None = None) -> Document:
    """``doc`` with ``corrections`` laid over it (any it carried are undone first).

    ``previous``: the records a former version of the Document carried, so each correction's
    ``baseline`` (what extraction said when it was first applied) survives a re-extraction.
    """
    data = strip(doc.to_json_dict())
    if not corrections:
        return Document.from_json_dict(data)
    baselines: dict[Any, Any] = {}
    for r in (previous or []) + list(doc.provenance.get("corrections") or []):
        if isinstance(r, dict) and "id" in r and "baseline" in r:
            baselines.setdefault(r["id"], r["baseline"])
    prov = data.setdefault("provenance", {})
    fields = prov.setdefault("fields", {})
    records = []
    key_before = data.get("review_key")
    # Each recommendation correction names its entry as extraction gave it: found before any
    # is laid (a corrected text would hide the entry from the next correction of it).
    recs = data.get("recommendations")
    extracted: list[dict[str, Any]] = recs if isinstance(recs, list) else []
    where = {c.id: locate(extracted, c.target) for c in corrections if c.field in REC_FIELDS}
    for c in sorted(corrections, key=lambda c: (c.at, c.id)):
        if c.field in REC_FIELDS:
            records.append(_apply_rec(data, c, where[c.id], baselines))
            continue
        if c.field not in FIELDS:
            continue
        underlying = value_of(data, c.field)
        record = {**c.record(), "replaced": raw_value(data, c.field), "underlying": underlying,
                  "baseline": baselines.get(c.id, underlying),
                  "extractor_version": data.get("extractor_version")}
        if c.field == "victim.age":
            record["replaced_age_band"] = raw_value(data, "victim.age_band")
        _set(data, c.field, c.value)
        records.append(record)
        fields["review." + c.field if FIELDS[c.field][0][0] == "review" else c.field] = {
            "from": "correction", "correction": c.id, "organisation": c.organisation,
            "organisation_name": c.organisation_name, "at": c.at, "reason": c.reason}
    prov["corrections"] = records
    if not fields:
        prov.pop("fields", None)
    if any(c.field in KEY_FIELDS for c in corrections):
        from .review_keys import review_key

        prov["review_key_before_corrections"] = key_before
        data["review_key"] = review_key(data.get("review") or {}) or key_before
    return Document.from_json_dict(data)


def disagreements(doc: Document | dict[str, Any]) -> list[dict[str, Any]]:
    """Corrections this Document carries whose underlying value moved since they were made:
    extraction (with the sources) now gives something other than the value corrected, or the
    corrected value itself."""
    prov = doc.provenance if isinstance(doc, Document) else (doc.get("provenance") or {})
    out = []
    for r in prov.get("corrections") or []:
        if not isinstance(r, dict) or r.get("field") not in FIELDS:
            continue
        underlying, baseline, value = r.get("underlying"), r.get("baseline"), r.get("value")
        if underlying == value:
            kind = "extraction_agrees"
        elif underlying != baseline:
            kind = "extraction_changed"
        else:
            continue
        out.append({"correction": r.get("id"), "field": r["field"], "kind": kind,
                    "corrected_value": value, "value_when_corrected": baseline,
                    "extracted_value": underlying,
                    "extractor_version": r.get("extractor_version")})
    return out


# -- recommendation corrections ----------------------------------------------------------------
def _words(text: Any) -> str:
    return " ".join(str(text or "").split())


def locate(recs: list[dict[str, Any]], target: dict[str, Any] | None) -> int | None:
    """The index of the entry of ``recommendations`` a correction's ``target`` names: its
    number as printed with its extracted text; else the same text under another number; else
    the one entry with the same number whose wording is close (a re-extraction that mends a
    line break). None when the Document prints nothing that is clearly it: after the tracker
    sync re-links the recommendation, :func:`accountability.corrections.reconcile` names the
    entry again from its new appearance."""
    if not target:
        return None
    number, text = target.get("number"), _words(target.get("text"))
    same_text = [i for i, r in enumerate(recs) if text and _words(r.get("text")) == text]
    both = [i for i in same_text if recs[i].get("number") == number]
    if both:
        return both[0]
    if len(same_text) == 1:
        return same_text[0]
    close = [i for i, r in enumerate(recs) if number and r.get("number") == number
             and SequenceMatcher(None, _words(r.get("text")).lower(), text.lower()).ratio()
             >= CLOSE_WORDING]
    return close[0] if len(close) == 1 else None


def rec_value_of(entry: dict[str, Any], field: str) -> Any:
    """A recommendation entry's value in correction terms (owners as a list of ids)."""
    if field == "recommendation.text":
        return entry.get("text")
    if field == "recommendation.scope":
        return entry.get("scope")
    orgs = entry.get("organisations") or ([entry["organisation"]] if entry.get("organisation")
                                          else [])
    return [o.get("id") for o in orgs if isinstance(o, dict)]


def _rec_corrected_value(field: str, value: Any) -> Any:
    if field == "recommendation.owners":
        return [o.get("id") for o in value or [] if isinstance(o, dict)]
    return value


def _set_rec(entry: dict[str, Any], field: str, value: Any) -> None:
    if field == "recommendation.text":
        entry["text"] = value
    elif field == "recommendation.scope":
        entry["scope"] = value
    else:
        owners = [o for o in value or [] if isinstance(o, dict) and o.get("id")]
        refs = [{"id": o["id"], "name": o.get("name") or o["id"]} for o in owners]
        entry["organisations"] = refs
        entry["organisation"] = dict(refs[0]) if refs else None
        entry["owner_source"] = "correction" if refs else None
        if owners:  # the agency type follows the first owner (the registry's type, if any)
            entry["agency"] = owners[0].get("agency")
            entry["agency_name"] = refs[0]["name"]


def _apply_rec(data: dict[str, Any], c: Applied, index: int | None,
               baselines: dict[Any, Any]) -> dict[str, Any]:
    recs = data.get("recommendations") or []
    record = {**c.record(), "index": index,
              "extractor_version": data.get("extractor_version")}
    if index is None:  # kept (it still wins once found again) but laid over nothing
        record["underlying"] = None
        record["baseline"] = baselines.get(c.id)
        return record
    entry = recs[index]
    underlying = rec_value_of(entry, c.field)
    record["replaced"] = {k: copy.deepcopy(entry[k]) for k in _REC_KEYS[c.field] if k in entry}
    record["absent"] = [k for k in _REC_KEYS[c.field] if k not in entry]
    record["underlying"] = underlying
    record["baseline"] = baselines.get(c.id, underlying)
    _set_rec(entry, c.field, c.value)
    return record


def _unset_rec(data: dict[str, Any], r: dict[str, Any]) -> None:
    recs = data.get("recommendations")
    index = r.get("index")
    if not isinstance(recs, list) or not isinstance(index, int) or not 0 <= index < len(recs) \
            or not isinstance(r.get("replaced"), dict):
        return
    entry = recs[index]
    entry.update(copy.deepcopy(r["replaced"]))
    for k in r.get("absent") or []:
        entry.pop(k, None)


def rec_disagreement(r: dict[str, Any]) -> str | None:
    """For one applied recommendation record: ``extraction_agrees`` (extraction now gives the
    corrected value), ``extraction_changed`` (it moved since), ``not_found`` (the Document no
    longer prints the recommendation clearly) or None."""
    if r.get("index") is None:
        return "not_found"
    underlying, value = r.get("underlying"), _rec_corrected_value(r["field"], r.get("value"))
    if underlying == value:
        return "extraction_agrees"
    if underlying != r.get("baseline"):
        return "extraction_changed"
    return None
