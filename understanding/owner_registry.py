"""The organisation registry: who can own a recommendation, and a printed name resolved to one.

Organisations (police forces, government departments and national bodies, Community Safety
Partnerships, NHS integrated care boards, ...) ship as YAML files under
``understanding/data/organisations/`` that an expert can edit; ``load_registry`` reads and
validates them (kind, taxonomy agency id and region) and adds what an admin registered
(``extra``). ``Registry.resolve`` turns a name as a report prints it ("GMP", "the Metropolitan
Police", "Kent Constabulary", "NHS Kent and Medway ICB", "Sheffield CCG") into an organisation,
so extraction and the tracker share one answer. It never guesses: a name that fits several
organisations, or none exactly, resolves to ``None``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import yaml

from dhr.taxonomy import ids

KINDS = ("police_force", "government_department", "national_body", "csp", "icb", "nhs_trust",
         "local_authority", "probation", "charity", "other")

DATA_DIR = "data/organisations"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: a faster cold start


class RegistryError(ValueError):
    """A registry data file or an added organisation is invalid (the message says which)."""


@dataclass(frozen=True)
class Organisation:
    id: str                 # stable slug, e.g. "greater-manchester-police"
    name: str
    kind: str               # one of KINDS
    agency: str | None      # taxonomy agency id, e.g. "police"
    region: str | None      # taxonomy region
    aliases: tuple[str, ...] = ()


_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_POLICE_SUFFIX = re.compile(r"\s(?:police service|police force|constabulary|police)$")
_TRAILING_ABBREVIATION = re.compile(r"\s*\(([^()]*)\)\s*$")


@lru_cache(maxsize=8192)
def normalise(name: str) -> str:
    """The comparison key of a name: case, punctuation, "&", a leading "the", "His/Her Majesty's",
    "NHS ... Integrated Care Board" and "Clinical Commissioning Group" folded away."""
    s = unicodedata.normalize("NFKC", name).lower()
    s = s.replace("\u2019", "'").replace("\u2018", "'")
    s = re.sub(r"\b(?:his|her)\s+majesty'?s\b", "hm", s)
    s = re.sub(r"(?<=\b\w)\.(?=\w\b)", "", s)          # M.P.S. -> MPS.
    s = s.replace("&", " and ").replace("'", "")
    s = " ".join(re.sub(r"[\W_]+", " ", s).split())
    s = re.sub(r"^the\s", "", s)
    s = re.sub(r"\bintegrated care (?:board|system)\b", "icb", s)
    s = re.sub(r"\bics$", "icb", s)
    s = re.sub(r"\bclinical commissioning group\b", "ccg", s)
    s = re.sub(r"\bcommunity safety partnership\b", "csp", s)
    if s.endswith((" icb", " ccg")):
        s = re.sub(r"^nhs\s", "", s)
    return s


class Registry:
    """The organisations, looked up by id or by a name as printed. Iterating gives them in
    data-file order (police forces, national bodies, CSPs, ICBs, then added ones)."""

    def __init__(self, organisations: Iterable[Organisation], *,
                 not_owners: Iterable[str] = (), csp_areas: dict[str, str] | None = None,
                 csp_icbs: dict[str, str] | None = None) -> None:
        self._orgs: dict[str, Organisation] = {}
        for org in organisations:
            _validate(org)
            if org.id in self._orgs:
                raise RegistryError(f"organisation id {org.id!r} is used twice")
            self._orgs[org.id] = org
        self._not_owners = frozenset(normalise(n) for n in not_owners)
        self._area_csp: dict[str, str] = {}
        self._keys: dict[str, set[str]] = defaultdict(set)
        self._police: dict[str, set[str]] = defaultdict(set)
        for org in self._orgs.values():
            for name in (org.name, *org.aliases):
                key = normalise(name)
                if key:
                    self._keys[key].add(org.id)
                if org.kind == "police_force":
                    base = _POLICE_SUFFIX.sub("", key)
                    self._police[base].add(org.id)
        for org_id, area in (csp_areas or {}).items():
            if org_id not in self._orgs:
                raise RegistryError(f"CSP area {area!r} names unknown organisation {org_id!r}")
            key = normalise(area)
            self._area_csp[key] = org_id
            for variant in (f"{key} csp", f"safer {key} partnership", f"safer {key}",
                            f"{key} safer partnership", f"{key} safer communities partnership"):
                self._keys[variant].add(org_id)

        self._csp_icb: dict[str, str] = {}
        self._icb_memo: dict[str, Organisation | None] = {}
        for csp_id, icb_id in (csp_icbs or {}).items():
            icb = self._orgs.get(icb_id)
            if csp_id not in self._orgs or icb is None or icb.kind != "icb":
                raise RegistryError(f"CSP {csp_id!r}: icb {icb_id!r} is not an integrated care "
                                    "board")
            self._csp_icb[csp_id] = icb_id

    def __iter__(self) -> Iterator[Organisation]:
        return iter(self._orgs.values())

    def __len__(self) -> int:
        return len(self._orgs)

    def __contains__(self, org_id: object) -> bool:
        return org_id in self._orgs

    def get(self, org_id: str) -> Organisation | None:
        return self._orgs.get(org_id)

    def resolve(self, name: str) -> Organisation | None:
        """The organisation a printed name means, or None when it means none or several."""
        if not name or not name.strip():
            return None
        found = self._resolve_key(normalise(name))
        if found is None:
            # "Greater Manchester Police (GMP)": the name, else the abbreviation in brackets.
            m = _TRAILING_ABBREVIATION.search(name)
            if m and m.start() > 0:
                found = self._resolve_key(normalise(name[:m.start()]))
                if found is None:
                    found = self._resolve_key(normalise(m.group(1)))
        return self._orgs[found] if found else None

    def _resolve_key(self, key: str) -> str | None:
        if not key or key in self._not_owners:
            return None
        hits = self._keys.get(key)
        if not hits and _POLICE_SUFFIX.search(key):
            hits = self._police.get(_POLICE_SUFFIX.sub("", key))
        if hits and len(hits) == 1:
            return next(iter(hits))
        return None

    def is_not_owner(self, name: str) -> bool:
        """True for names listed as never owning anything (the Home Office QA panel)."""
        return normalise(name) in self._not_owners

    def csp_for_area(self, area: str | None) -> Organisation | None:
        """The Community Safety Partnership of a review area as the Home Office library names
        it (Document ``review.area``)."""
        org_id = self._area_csp.get(normalise(area)) if area else None
        return self._orgs[org_id] if org_id else None

    def icb_for_area(self, area: str | None) -> Organisation | None:
        """The integrated care board whose name, or a former CCG's, contains the area's name
        ("Southampton" -> "Hampshire, Southampton and Isle of Wight CCG"); None when no board or
        several do ("Cumbria": two boards)."""
        if not area:
            return None
        key = normalise(area)
        if not key:
            return None
        if key in self._icb_memo:
            return self._icb_memo[key]
        csp = self._area_csp.get(key)
        if csp in self._csp_icb:
            found = {self._csp_icb[csp]}
        else:
            pattern = re.compile(rf"(?:^| ){re.escape(key)}(?: |$)")
            found = {org.id for org in self._orgs.values() if org.kind == "icb"
                     and any(pattern.search(normalise(n)) for n in (org.name, *org.aliases))}
        self._icb_memo[key] = self._orgs[found.pop()] if len(found) == 1 else None
        return self._icb_memo[key]

    def of_kind(self, kind: str) -> list[Organisation]:
        return [org for org in self._orgs.values() if org.kind == kind]


def _validate(org: Organisation) -> None:
    where = f"organisation {org.id!r}"
    if not isinstance(org.id, str) or not _ID.match(org.id):
        raise RegistryError(f"{where}: id must be a lower-case slug (letters, digits, hyphens)")
    if not isinstance(org.name, str) or not org.name.strip():
        raise RegistryError(f"{where}: name is empty")
    if org.kind not in KINDS:
        raise RegistryError(f"{where}: kind {org.kind!r} is not one of {', '.join(KINDS)}")
    if org.agency is not None and org.agency not in ids("agency"):
        raise RegistryError(f"{where}: agency {org.agency!r} is not a taxonomy agency id")
    if org.region is not None and org.region not in ids("region"):
        raise RegistryError(f"{where}: region {org.region!r} is not a taxonomy region")
    if not isinstance(org.aliases, tuple) or not all(isinstance(a, str) for a in org.aliases):
        raise RegistryError(f"{where}: aliases must be a tuple of strings")


@cache
def _shipped() -> tuple[tuple[Organisation, ...], tuple[str, ...], tuple[tuple[str, str], ...],
                        tuple[tuple[str, str], ...]]:
    """Parse the shipped data files once: organisations, not-owner names, CSP areas, CSP ICBs."""
    orgs: list[Organisation] = []
    not_owners: list[str] = []
    areas: list[tuple[str, str]] = []
    icbs: list[tuple[str, str]] = []
    folder = resources.files("understanding").joinpath(DATA_DIR)
    order = ("police_forces.yaml", "national_bodies.yaml", "community_safety_partnerships.yaml",
             "integrated_care_boards.yaml", "nhs_trusts.yaml")
    files = sorted((f for f in folder.iterdir() if f.name.endswith((".yaml", ".yml"))),
                   key=lambda f: (order.index(f.name) if f.name in order else len(order), f.name))
    for file in files:
        try:
            data = yaml.load(file.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        except yaml.YAMLError as exc:
            raise RegistryError(f"{file.name}: not valid YAML: {exc}") from exc
        kind, agency = data.get("kind"), data.get("agency")
        for i, entry in enumerate(data.get("organisations") or ()):
            if not isinstance(entry, dict) or "id" not in entry or "name" not in entry:
                raise RegistryError(f"{file.name}: entry {i + 1} needs at least an id and a name")
            try:
                org = Organisation(id=str(entry["id"]), name=str(entry["name"]),
                                   kind=entry.get("kind", kind),  # type: ignore[arg-type]  # _validate checks it
                                   agency=entry.get("agency", agency),
                                   region=entry.get("region"),
                                   aliases=tuple(str(a) for a in entry.get("aliases") or ()))
                _validate(org)
            except RegistryError as exc:
                raise RegistryError(f"{file.name}: {exc}") from exc
            orgs.append(org)
            if entry.get("area"):
                areas.append((org.id, str(entry["area"])))
            if entry.get("icb"):
                icbs.append((org.id, str(entry["icb"])))
        not_owners.extend(str(n) for n in data.get("not_owners") or ())
    return tuple(orgs), tuple(not_owners), tuple(areas), tuple(icbs)


def load_registry(extra: Iterable[Organisation] = ()) -> Registry:
    """The shipped organisations plus ``extra`` (organisations an admin added)."""
    orgs, not_owners, areas, icbs = _shipped()
    return Registry((*orgs, *extra), not_owners=not_owners, csp_areas=dict(areas),
                    csp_icbs=dict(icbs))


@cache
def default_registry() -> Registry:
    """The shipped registry, built once per process (for extraction)."""
    return load_registry()
