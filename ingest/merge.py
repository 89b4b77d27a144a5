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
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, cast
from urllib.parse import urlsplit

import yaml

from dhr.corrections import strip as strip_corrections
from dhr.document import DATE_OF_DEATH_PATTERN, AbuseType, Document, Source, Victim
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
    for name, kind in kinds.items():
        valid = set(ids(kind))
        table: dict[str, str] = {}
        for value, tags in (raw.get(name) or {}).items():
            if value not in valid:
                raise ValueError(f"source_tags.yaml: {name}: {value!r} is not a taxonomy id")
            for tag in tags:
                table[_norm_tag(tag)] = value
        out[name] = table
    return out


def _norm_tag(tag: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(tag).lower()).split())


def _rank(sighting: dict[str, Any]) -> tuple[int, str]:
    # A library card describes the review itself; a site's configured area is a default.
    meta = sighting.get("metadata") or {}
    weak = meta.get("source_kind") == "site" or not (meta.get("pseudonym")
                                                     or meta.get("date_of_death"))
    return (1 if weak else 0, str(sighting.get("first_seen") or ""))


@dataclass
class SourceValues:
    """What the sources say about a review: one value per field with the URL that said it."""

    values: dict[str, tuple[Any, str]] = field(default_factory=dict)  # review field -> (value, url)
    abuse_types: list[tuple[str, str]] = field(default_factory=list)  # (taxonomy id, url), sorted
    # ``provenance["source_conflicts"]``: {"field", "values": [{"value", "url"}, ...]}
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    unmapped_tags: list[str] = field(default_factory=list)
    ignored: list[dict[str, Any]] = field(default_factory=list)  # values no Document could hold
    title: str | None = None
    victim: dict[str, tuple[Any, str]] = field(default_factory=dict)  # age, age_band, sex


def source_values(sightings: list[dict[str, Any]]) -> SourceValues:
    """What the sources say, strongest source first (:func:`_rank`): the first valid value of a
    field wins, later different ones are conflicts."""
    reader = _SourceReader()
    for s in sorted(sightings, key=_rank):
        reader.read(s.get("metadata") or {}, s["url"])
    return reader.result()


class _SourceReader:
    """Collects :class:`SourceValues` from the sightings' metadata, one sighting at a time."""

    def __init__(self) -> None:
        self.said = SourceValues()
        self.conflicts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.abuse: dict[str, str] = {}
        self.rules = tag_rules()

    def read(self, meta: dict[str, Any], url: str) -> None:
        for name in REVIEW_KEYS:
            self.offer(name, meta.get(name), url)
        for tag in meta.get("tags") or []:
            self._tag(tag, url)
        for a in meta.get("abuse_types") or []:
            if a in ids("abuse_type"):
                self.abuse.setdefault(a, url)
        self._victim(meta.get("victim") or {}, url)
        if self.said.title is None and meta.get("title"):
            self.said.title = str(meta["title"])

    def _victim(self, details: dict[str, Any], url: str) -> None:
        victim = self.said.victim
        for k, v in details.items():
            if k in ("age", "age_band", "sex") and v not in (None, "") and k not in victim:
                victim[k] = (v, url)

    def offer(self, name: str, value: Any, url: str) -> None:
        if value in (None, "", []):
            return
        ok = _valid(name, value)
        values = self.said.values
        if ok is None:
            self.said.ignored.append({"field": f"review.{name}", "value": value, "url": url})
        elif name not in values:
            values[name] = (ok, url)
        elif fold(values[name][0]) != fold(ok) and not _compatible_dates(name, values[name][0], ok):
            self.conflicts[name].append({"value": ok, "url": url})

    def _tag(self, tag: str, url: str) -> None:
        key = _norm_tag(tag)
        if key in self.rules["review_type"]:
            self.offer("review_type", self.rules["review_type"][key], url)
        elif key in self.rules["death_type"]:
            self.offer("death_type", self.rules["death_type"][key], url)
        elif key in self.rules["abuse_types"]:
            self.abuse.setdefault(self.rules["abuse_types"][key], url)
        elif tag not in self.said.unmapped_tags:
            self.said.unmapped_tags.append(tag)

    def result(self) -> SourceValues:
        values = self.said.values
        self.said.abuse_types = sorted(self.abuse.items())
        self.said.conflicts = [
            {"field": f"review.{name}",
             "values": [{"value": values[name][0], "url": values[name][1]}] + later}
            for name, later in self.conflicts.items()]
        return self.said


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
def merge_document(doc: Document, sightings: list[dict[str, Any]]) -> Document:
    """The Document with its sources merged in (idempotent: re-merging starts from the text)."""
    text = Document.from_json_dict(unmerge(doc.to_json_dict()))
    return _Merge(text, source_values(sightings)).run(source_of(sightings))


class _Merge:
    """One merge of what the sources say into a Document as extraction left it (changed in
    place), with the provenance it records: the values it replaced, the fields it set and
    the disagreements it found."""

    def __init__(self, doc: Document, said: SourceValues) -> None:
        self.doc = doc
        self.review = doc.review
        self.said = said
        self.values = dict(said.values)
        self.fields: dict[str, Any] = doc.provenance.setdefault("fields", {})
        self.replaced: dict[str, Any] = {}
        self.disagreements: list[dict[str, Any]] = []

    def run(self, source: Source | None) -> Document:
        self._region_from_area()
        for name in REVIEW_KEYS:
            if name in self.values:
                self._review_field(name, *self.values[name])
        added = self._abuse_types()
        self._victim()
        self._record(added)
        self.doc.source = source
        self.doc.review_key = review_key(self.review.model_dump(mode="json"))
        return self.doc

    def _take(self, path: str, url: str, current: Any) -> None:
        self.replaced[path] = current
        self.fields[path] = {"from": "source", "url": url}

    def _region_from_area(self) -> None:
        """The region follows from the source's area (and a region the text gave for another
        area would be wrong: unknown rather than guessed)."""
        if "area" not in self.values or "region" in self.values:
            return
        area, url = self.values["area"]
        region = _region_of(area)
        if region:
            self.values["region"] = (region, url)
        elif self.review.area and fold(self.review.area) != fold(area) and self.review.region:
            self.replaced["review.region"] = self.review.region
            self.review.region = None

    def _review_field(self, name: str, value: Any, url: str) -> None:
        """The source's value of a review field (``REVIEW_KEYS``) over the text's, unless they
        agree or the text states the same date more precisely."""
        current = getattr(self.review, name)
        if current not in (None, "") and fold(current) == fold(value):
            return
        if name == "date_of_death" and current and _compatible_dates(name, current, value):
            if len(value) <= len(current):
                return  # the text is as precise or more: keep it
        elif current not in (None, ""):
            self.disagreements.append({"field": f"review.{name}", "source": value, "text": current,
                                       "url": url})
        self._take(f"review.{name}", url, current)
        setattr(self.review, name, value)  # valid: checked by _valid

    def _abuse_types(self) -> list[str]:
        """Abuse types the sources add to the text's (never removed): the ids added."""
        current = self.review.abuse_types
        added = [a for a, _ in self.said.abuse_types if a not in current]
        if added:
            # taxonomy ids (checked when read), the Document's AbuseType values
            self.review.abuse_types = cast(list[AbuseType], sorted(set(current) | set(added)))
            self.fields["review.abuse_types"] = {"from": "source",
                                                 "url": dict(self.said.abuse_types)[added[0]]}
        return added

    def _victim(self) -> None:
        """Victim details the text does not give (validated as the Document validates them)."""
        victim = self.review.victim.model_dump()
        for key, (value, url) in self.said.victim.items():
            if victim.get(key) in (None, ""):
                self._take(f"review.victim.{key}", url, None)
                victim[key] = value
        if self.said.victim:
            self.review.victim = Victim.model_validate(victim)

    def _record(self, added: list[str]) -> None:
        """The merge's provenance (what :func:`unmerge` undoes) and a title the text lacked."""
        prov = self.doc.provenance
        merge_record: dict[str, Any] = {}
        if self.replaced:
            merge_record["replaced"] = self.replaced
        if added:
            merge_record["added_abuse_types"] = added
        if self.said.title and not self.doc.title:
            self.doc.title = self.said.title
            merge_record["title"] = True
        said = self.said
        for key, value in (("merge", merge_record), ("disagreements", self.disagreements),
                           ("source_conflicts", said.conflicts),
                           ("unmapped_tags", said.unmapped_tags),
                           ("ignored_source_values", said.ignored)):
            if value:
                prov[key] = value
        if not self.fields:
            prov.pop("fields", None)


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
