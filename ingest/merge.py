"""Merge what the sources say about a file with what extraction found in it (contract.md §2).

Runs at ingest, after extraction and before indexing (``orchestration/pipeline.py``), and again
whenever
the crawler learns something new about a stored file (``ingest/resync.py``): a library card's
area, region, date of death and tags, a site's configured area, or that the report was taken
down (``source.online``).

- The source wins where both speak; every disagreement is recorded in
  ``provenance["disagreements"]`` (``{"field", "source", "text", "url"}``), and each field taken
  from a source is marked in ``provenance["fields"]`` (``{"from": "source", "url"}``), so the UI
  can say where a value came from.
- A merge is reversible: the values it replaced are kept in ``provenance["merge"]``, so merging
  again (say, after the library card changed) starts from what the text said, never from the
  previous merge.
- Library tags map to taxonomy ids through ``dhr/data/source_tags.yaml`` (rules as data).
- ``review_key`` (area|pseudonym|year of death, normalised) links a review's documents: overview
  report, executive summary, action plan, letter. :func:`link_review_keys` gives documents that do
  not state the year (an action plan, a letter) the year of their review when it is unambiguous.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import yaml

from dhr.corrections import strip as strip_corrections
from dhr.document import DATE_OF_DEATH_PATTERN, Document, Source
from dhr.review_keys import review_key
from dhr.taxonomy import ids
from dhr.text import fold

# Review fields a source can state, in the order they are merged.
REVIEW_KEYS = ("pseudonym", "area", "region", "date_of_death", "review_type", "death_type")
_TAXONOMY_FIELDS = {"region": "region", "review_type": "review_type", "death_type": "death_type"}
_DATE = re.compile(DATE_OF_DEATH_PATTERN)


# -- what the sources say ---------------------------------------------------------------------
def source_of(sightings: list[dict[str, Any]]) -> Source | None:
    """``Document.source``: the current web URL (else any), first/last seen, online anywhere."""
    if not sightings:
        return None
    current = [s for s in sightings if s.get("current")] or sightings
    web = [s for s in current if str(s["url"]).startswith("http")]
    online = [s for s in web if s.get("online")]
    chosen = (online or web or current)[0]
    url = chosen["url"]
    return Source(
        # Only a web address: a local file's sighting (``local:name``, or ``file:///path`` as
        # older versions recorded it) would show a location on the server.
        url=url if url.startswith(("http://", "https://")) else None,
        site=(urlsplit(url).hostname or None) if url.startswith("http") else None,
        first_seen=min(s["first_seen"] for s in sightings),
        last_seen=max(s["last_seen"] for s in sightings),
        online=any(s.get("online") for s in sightings),
    )


@cache
def tag_rules() -> dict[str, dict[str, str]]:
    """``{field: {normalised tag: taxonomy id}}`` from ``dhr/data/source_tags.yaml``."""
    raw = yaml.safe_load(resources.files("dhr").joinpath("data/source_tags.yaml")
                         .read_text(encoding="utf-8"))
    kinds = {"review_type": "review_type", "death_type": "death_type", "abuse_types": "abuse_type"}
    out: dict[str, dict[str, str]] = {}
    for field, kind in kinds.items():
        valid = set(ids(kind))
        table: dict[str, str] = {}
        for value, tags in (raw.get(field) or {}).items():
            if value not in valid:
                raise ValueError(f"source_tags.yaml: {field}: {value!r} is not a taxonomy id")
            for tag in tags:
                table[_norm_tag(tag)] = value
        out[field] = table
    return out


def _norm_tag(tag: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(tag).lower()).split())


def _rank(sighting: dict[str, Any]) -> tuple[int, str]:
    # A library card describes the review itself; a site's configured area is a default.
    meta = sighting.get("metadata") or {}
    weak = meta.get("source_kind") == "site" or not (meta.get("pseudonym")
                                                     or meta.get("date_of_death"))
    return (1 if weak else 0, str(sighting.get("first_seen") or ""))


def source_values(sightings: list[dict[str, Any]]) -> dict[str, Any]:
    """What the sources say, one value per field with the URL that said it.

    Returns ``{"values": {field: (value, url)}, "abuse_types": [(id, url)], "conflicts": [...],
    "unmapped_tags": [...], "ignored": [...], "title": str | None, "victim": {...}}``.
    """
    values: dict[str, tuple[Any, str]] = {}
    conflicts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    abuse: dict[str, str] = {}
    unmapped: list[str] = []
    ignored: list[dict[str, Any]] = []
    title = None
    victim: dict[str, Any] = {}
    rules = tag_rules()

    def offer(field: str, value: Any, url: str) -> None:
        if value in (None, "", []):
            return
        ok = _valid(field, value)
        if ok is None:
            ignored.append({"field": f"review.{field}", "value": value, "url": url})
            return
        if field not in values:
            values[field] = (ok, url)
        elif (fold(values[field][0]) != fold(ok)
              and not _compatible_dates(field, values[field][0], ok)):
            conflicts[field].append({"value": ok, "url": url})

    for s in sorted(sightings, key=_rank):
        meta = s.get("metadata") or {}
        url = s["url"]
        for field in REVIEW_KEYS:
            offer(field, meta.get(field), url)
        for tag in meta.get("tags") or []:
            key = _norm_tag(tag)
            if key in rules["review_type"]:
                offer("review_type", rules["review_type"][key], url)
            elif key in rules["death_type"]:
                offer("death_type", rules["death_type"][key], url)
            elif key in rules["abuse_types"]:
                abuse.setdefault(rules["abuse_types"][key], url)
            elif tag not in unmapped:
                unmapped.append(tag)
        for a in meta.get("abuse_types") or []:
            if a in ids("abuse_type"):
                abuse.setdefault(a, url)
        for k, v in (meta.get("victim") or {}).items():
            if k in ("age", "age_band", "sex") and v not in (None, "") and k not in victim:
                victim[k] = (v, url)
        if title is None and meta.get("title"):
            title = str(meta["title"])
    return {"values": values, "abuse_types": sorted(abuse.items()),
            "conflicts": [{"field": f"review.{f}",
                           "values": [{"value": values[f][0], "url": values[f][1]}] + c}
                          for f, c in conflicts.items()],
            "unmapped_tags": unmapped, "ignored": ignored, "title": title, "victim": victim}


def _valid(field: str, value: Any) -> Any:
    """The value in the Document's terms, or None when it cannot be one (never guessed)."""
    if field in _TAXONOMY_FIELDS:
        return value if value in ids(_TAXONOMY_FIELDS[field]) else None
    if field == "date_of_death":
        return value if isinstance(value, str) and _DATE.match(value) else None
    if field == "area":
        return _canonical_area(str(value))
    return " ".join(str(value).split()) or None


# -- the merge --------------------------------------------------------------------------------
def merge_document(doc: Document, sightings: list[dict[str, Any]]) -> Document:  # noqa: C901
    """The Document with its sources merged in (idempotent: re-merging starts from the text)."""
    data = unmerge(doc.to_json_dict())
    review = data["review"]
    prov = data["provenance"]
    fields: dict[str, Any] = prov.setdefault("fields", {})
    replaced: dict[str, Any] = {}
    disagreements: list[dict[str, Any]] = []
    said = source_values(sightings)
    values = said["values"]

    def take(path: str, value: Any, url: str, current: Any) -> None:
        replaced[path] = current
        fields[path] = {"from": "source", "url": url}

    if "area" in values and "region" not in values:
        # The region follows from the source's area (and a region the text gave for another area
        # would be wrong: unknown rather than guessed).
        region = _region_of(values["area"][0])
        text_area = review.get("area")
        if region:
            values["region"] = (region, values["area"][1])
        elif text_area and fold(text_area) != fold(values["area"][0]) and review.get("region"):
            replaced["review.region"] = review["region"]
            review["region"] = None
    for field in REVIEW_KEYS:
        if field not in values:
            continue
        value, url = values[field]
        current = review.get(field)
        if current not in (None, "") and fold(current) == fold(value):
            continue
        if field == "date_of_death" and current and _compatible_dates(field, current, value):
            if len(value) <= len(current):
                continue  # the text is as precise or more: keep it
        elif current not in (None, ""):
            disagreements.append({"field": f"review.{field}", "source": value, "text": current,
                                  "url": url})
        take(f"review.{field}", value, url, current)
        review[field] = value
    added = [a for a, _ in said["abuse_types"] if a not in (review.get("abuse_types") or [])]
    if added:
        review["abuse_types"] = sorted(set(review.get("abuse_types") or []) | set(added))
        fields["review.abuse_types"] = {"from": "source",
                                        "url": dict(said["abuse_types"])[added[0]]}
    victim = review.setdefault("victim", {})
    for key, (value, url) in said["victim"].items():
        if victim.get(key) in (None, ""):
            take(f"review.victim.{key}", value, url, None)
            victim[key] = value
    merge_record: dict[str, Any] = {}
    if replaced:
        merge_record["replaced"] = replaced
    if added:
        merge_record["added_abuse_types"] = added
    if said["title"] and not data.get("title"):
        data["title"] = said["title"]
        merge_record["title"] = True
    if merge_record:
        prov["merge"] = merge_record
    if disagreements:
        prov["disagreements"] = disagreements
    if said["conflicts"]:
        prov["source_conflicts"] = said["conflicts"]
    if said["unmapped_tags"]:
        prov["unmapped_tags"] = said["unmapped_tags"]
    if said["ignored"]:
        prov["ignored_source_values"] = said["ignored"]
    if not fields:
        prov.pop("fields", None)
    src = source_of(sightings)
    data["source"] = src.model_dump(mode="json") if src else None
    data["review_key"] = review_key(review)
    return Document.from_json_dict(data)


def unmerge(data: dict[str, Any]) -> dict[str, Any]:
    """The Document JSON as extraction left it: human corrections (``dhr/corrections.py``, the
    last layer), then source values and merge records removed."""
    data = strip_corrections(data)
    prov = dict(data.get("provenance") or {})
    record = prov.pop("merge", None) or {}
    review = data.setdefault("review", {})
    for path, old in (record.get("replaced") or {}).items():
        parts = path.split(".")[1:]
        node = review
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = old
    added = set(record.get("added_abuse_types") or [])
    if added:
        review["abuse_types"] = [a for a in review.get("abuse_types") or [] if a not in added]
    if record.get("title"):
        data["title"] = None
    fields = {k: v for k, v in (prov.get("fields") or {}).items()
              if not (isinstance(v, dict) and v.get("from") == "source")}
    prov.pop("fields", None)
    if fields:
        prov["fields"] = fields
    for key in ("disagreements", "source_conflicts", "unmapped_tags", "ignored_source_values"):
        prov.pop(key, None)
    data["provenance"] = prov
    data["source"] = None
    data["review_key"] = None
    return data


# -- linking a review's documents -------------------------------------------------------------
def link_review_keys(members: list[dict[str, Any]]) -> dict[str, str | None]:
    """Review keys for documents ``{"id", "review": {...}}`` (all the documents of some areas).

    A document that does not state the year of death joins its area and pseudonym's review when
    exactly one year is known among them; with two (two reviews of an "Adult A" in one area) the
    year stays ``unknown`` rather than a guess.
    """
    years: dict[tuple[str, str], set[str]] = defaultdict(set)
    for m in members:
        r = m["review"]
        if r.get("area") and r.get("pseudonym") and r.get("date_of_death"):
            years[(fold(r["area"]), fold(r["pseudonym"]))].add(r["date_of_death"][:4])
    out: dict[str, str | None] = {}
    for m in members:
        r = m["review"]
        year = None
        if not r.get("date_of_death") and r.get("area") and r.get("pseudonym"):
            known = years.get((fold(r["area"]), fold(r["pseudonym"]))) or set()
            year = next(iter(known)) if len(known) == 1 else None
        out[m["id"]] = review_key(r, year)
    return out


def _compatible_dates(field: str, a: Any, b: Any) -> bool:
    """'2018' and '2018-11' say the same thing at different precision."""
    if field != "date_of_death" or not a or not b:
        return False
    a, b = str(a), str(b)
    return a.startswith(b) or b.startswith(a)


def _canonical_area(name: str) -> str | None:
    name = " ".join(name.split())
    if not name:
        return None
    try:
        from understanding.areas import canonical_area
    except ImportError:
        return name
    return canonical_area(name) or name


def _region_of(area: str) -> str | None:
    try:
        from understanding.areas import region_of
    except ImportError:
        return None
    region = region_of(area)
    return region if region in ids("region") else None
