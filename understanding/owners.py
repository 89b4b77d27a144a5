"""Who owns each recommendation: organisations of the registry, from the text, a heading or the
action plan's lead column (contract 2a: ``organisation``, ``organisations``, ``owner_source``).

Part of report understanding, run after ``understanding.recommendations``. For each recommendation:

1. **text**: the addressee the sentence names ("Kent Police should ...", "It is recommended that
   the ICB ...", a clause "GMP review ..."), or two ("The CSP seeks assurance from the housing
   provider that ...", "X and Y should jointly ...");
2. **heading**: else the agency heading it is listed under ("Greater Manchester Police" then
   "1. To audit ...");
3. **action_plan**: else the lead column of its action-plan row (a table row of this document, a
   "Lead agency:" line, or ``actions[*].lead`` matched by number when action plans are extracted).

A name is resolved per document first (abbreviations the report introduced,
``understanding.abbreviations``),
then through the registry's names and aliases (``understanding.owner_registry``). "The CSP" / "the
Community Safety Partnership" is the review's own partnership, "the ICB" / "the CCG" its area's
board (found
through the area's former CCG); a kind of service ("the police", "the GP surgery") names no
organisation. Where nobody is named anywhere the owner is null ("no owner"), never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from understanding.abbreviations import defined_in
from understanding.agencies import agency_of, find_agency_mentions
from understanding.owner_registry import Organisation, Registry, default_registry

# "It is recommended that", "The review panel recommends that", "That", "(a)".
_LEAD_IN = re.compile(r"^(?:[^.;:]{0,100}?\brecommend(?:s|ed)?\s+"
                      r"(?:to\s+[^.;:]{0,60}?\s+)?that\s*:?\s+|"
                      r"that\s+)", re.IGNORECASE)
# Where the subject ends: a modal, "to <verb>", or a verb in the subjunctive after a name.
_VERB = re.compile(r"\b(?:should|must|will|shall|could|may|might|would|"
                   r"(?:is|are|needs?|ought|has|have)\s+to|"
                   r"to\s+(?=[a-z])|seeks?\b|obtains?\b|considers?\b|reviews?\b|ensures?\b|"
                   r"establish(?:es)?\b|develops?\b|provides?\b|commissions?\b|undertakes?\b|"
                   r"works?\b|issues?\b|includes?\b|introduces?\b|adopts?\b|funds?\b|publish(?:es)?\b|"
                   r"trains?\b|audits?\b|revises?\b|maintains?\b|makes?\b|takes?\b|asks?\b|"
                   r"follows?\b|places?\b|notif(?:y|ies)\b|keeps?\b|explores?\b|reflects?\b|"
                   r"implements?\b|amends?\b|updates?\b|creates?\b|agrees?\b)",
                   re.IGNORECASE)
_ASSURANCE = re.compile(r"^(?P<a>.{2,120}?)\s+(?:should\s+|must\s+|to\s+|will\s+)?"
                        r"(?:seeks?|obtains?|gains?|receives?|requests?)\s+"
                        r"(?:(?:written|further|formal)\s+)?(?:re)?assurances?\s+from\s+"
                        r"(?P<b>.{2,120}?)\s+(?:that|about|on|regarding|as\s+to)\b", re.IGNORECASE)
_JOINT = re.compile(r",?\s+(?:and|together\s+with|jointly\s+with|in\s+partnership\s+with|with)\s+",
                    re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:the|all|each|every|any)\s+", re.IGNORECASE)
_GENERIC_CSP = re.compile(r"(?:the\s+)?(?:csp|community\s+safety\s+partnership)", re.IGNORECASE)
_GENERIC_ICB = re.compile(r"(?:the\s+)?(?:nhs\s+)?(?:icb|ccg|integrated\s+care\s+board|"
                          r"clinical\s+commissioning\s+group|integrated\s+care\s+system|ics)",
                          re.IGNORECASE)
_ACRONYM = re.compile(r"\b[A-Z][A-Za-z&]{0,3}[A-Z][A-Za-z&]{0,4}\b")
_NOBODY = re.compile(r"^(?:all\s+|each\s+|every\s+|relevant\s+|partner\s+|other\s+)*"
                     r"(?:agenc(?:y|ies)|organisations?|partners?|services|professionals|practitioners|"
                     r"members?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Owner:
    organisation: Organisation | None
    name: str                      # the name as printed (after expanding an abbreviation)
    agency: str | None             # taxonomy agency id of that name
    abbreviation: bool = False     # named by an abbreviation ("GMP", "CFT")


class OwnerResolver:
    """Resolves names printed in one document: its own abbreviations first, then the registry;
    "the CSP" and "the ICB" are the review area's."""

    def __init__(self, abbreviations: dict[str, str] | None = None, area: str | None = None,
                 registry: Registry | None = None, *, text: str | None = None) -> None:
        self.registry = registry or default_registry()
        # The document's abbreviations: given, or looked up in ``text`` one at a time when a
        # name holds one (most names never do).
        self._abbreviations: dict[str, str | None] = dict(abbreviations or {})
        self._text = text
        self.area = area
        self._cache: dict[str, Owner | None] = {}

    def expand(self, abbr: str) -> str | None:
        """The name this document introduced ``abbr`` for, if any."""
        if abbr not in self._abbreviations and self._text is not None:
            self._abbreviations[abbr] = defined_in(self._text, abbr)
        return self._abbreviations.get(abbr)

    def area_csp(self) -> Organisation | None:
        return self.registry.csp_for_area(self.area)

    def area_icb(self) -> Organisation | None:
        return self.registry.icb_for_area(self.area)

    def owner(self, name: str | None) -> Owner | None:
        """The owner a short name (a subject, a heading, a lead cell) means, or None when it
        names no organisation or agency at all."""
        if not name:
            return None
        name = " ".join(name.split()).strip(" ,.;:-–—()")
        if not name or len(name) > 160:
            return None
        if name in self._cache:
            return self._cache[name]
        found = self._owner(name)
        self._cache[name] = found
        return found

    def _owner(self, name: str) -> Owner | None:
        reg = self.registry
        bare = _ARTICLE.sub("", name)
        if _NOBODY.match(bare) or reg.is_not_owner(bare):
            return None
        if _GENERIC_CSP.fullmatch(name):
            return _make(self.area_csp(), name, "community_safety_partnership")
        if _GENERIC_ICB.fullmatch(name):
            return _make(self.area_icb(), name, "health_commissioner")
        has_acronym = _ACRONYM.search(bare) is not None
        expanded = self.expand(bare) if has_acronym else None
        if expanded:
            org = reg.resolve(expanded)
            return Owner(org, expanded, (org.agency if org else None) or _agency(expanded), True)
        org = reg.resolve(bare)
        if org is not None:
            return Owner(org, bare, org.agency, bool(_ACRONYM.fullmatch(bare)))
        inner = self._inner_abbreviation(bare) if has_acronym else None
        return inner if inner is not None else self._named_inside(bare)

    def _inner_abbreviation(self, bare: str) -> Owner | None:
        """An abbreviation inside a longer name ("GMP's Public Protection Unit" is GMP's)."""
        for m in _ACRONYM.finditer(bare):
            token = m.group()
            full = self.expand(token)
            if full and len(token) >= 2:
                o = self.registry.resolve(full)
                return Owner(o, full, (o.agency if o else None) or _agency(full), True)
        return None

    def _named_inside(self, bare: str) -> Owner | None:
        """The agency named inside ("Kent Police's Public Protection Unit", "the Norfolk ICB")."""
        mentions = _mentions(bare)
        if not mentions:
            return None
        m = mentions[0]
        # Only a name the mention starts: "Newcastle Women's Aid" is a local group, not the
        # national federation "Women's Aid".
        prefixed = re.search(r"[A-Z][\w'’&\-]*\s*$", bare[: m.start]) is not None
        for candidate in ((bare[m.start:], bare[: m.end], m.name) if not prefixed
                          else (bare[: m.end],)):
            o = self.registry.resolve(candidate)
            if o is not None:
                return Owner(o, candidate, o.agency)
        in_area = bool(self.area) and re.search(re.escape(self.area or ""), bare,
                                                re.IGNORECASE) is not None
        if m.id == "health_commissioner" and in_area:
            return _make(self.area_icb(), bare, "health_commissioner")
        if m.id == "community_safety_partnership" and in_area:
            return _make(self.area_csp(), bare, "community_safety_partnership")
        return Owner(None, bare, m.id)


@lru_cache(maxsize=4096)
def _mentions(name: str) -> tuple[Any, ...]:
    """Agency mentions of a short name (names repeat within and across reports)."""
    return tuple(find_agency_mentions(name))


def _make(org: Organisation | None, name: str, agency: str) -> Owner:
    return Owner(org, name, agency)


def _agency(name: str) -> str | None:
    found = agency_of(name)
    return found[0] if found else None


def _subject(text: str) -> str:
    """The words before the verb of a recommendation, lead-in removed."""
    head = _LEAD_IN.sub("", text.strip(), count=1)[:220]
    head = re.sub(r"^\(?[a-z0-9]{1,3}[.)]\s+", "", head)
    # "To improve the police response, the CCG should ...": the clause before the verb.
    verb = _VERB.search(head)
    subject = head[: verb.start()] if verb else head[:100]
    if ", " in subject:
        subject = subject.rsplit(", ", 1)[1]
    return subject.strip()


def text_owners(text: str, resolver: OwnerResolver) -> list[Owner]:
    """Owners the recommendation's own sentence names, the addressee first."""
    head = _LEAD_IN.sub("", text.strip(), count=1)
    m = _ASSURANCE.match(head) if "ssurance" in head else None
    if m:
        owners = [resolver.owner(m["a"]), resolver.owner(m["b"])]
        found = [o for o in owners if o is not None]
        if found:
            return found
    subject = _subject(text)
    # "Hampshire and Isle of Wight Constabulary and the CPS should jointly ...": two owners when
    # some split at a conjunction gives two organisations.
    for m in _JOINT.finditer(subject):
        oa = resolver.owner(subject[: m.start()])
        if oa is None or oa.organisation is None:
            continue
        ob = resolver.owner(subject[m.end():])
        if ob is not None and ob.organisation is not None:
            return [oa, ob]
    if resolver.registry.is_not_owner(_ARTICLE.sub("", subject)):
        return []      # "The Home Office QA Panel should ...": reviews reports, owns nothing
    one = resolver.owner(subject)
    if one is None and subject:
        # "Safeguarding leads in Kent Police should ...": a name further into the subject.
        for m2 in _mentions(subject):
            one = resolver.owner(subject[m2.start:])
            if one is not None:
                break
    return [one] if one is not None else []


def assign_owners(recs: list[dict[str, Any]], *, abbreviations: dict[str, str] | None = None,
                  text: str | None = None, area: str | None = None, actions: Sequence[Any] = (),
                  registry: Registry | None = None, resolver: OwnerResolver | None = None,
                  ) -> list[int]:
    """Set ``organisation``, ``organisations`` and ``owner_source`` on each recommendation dict
    (from ``understanding.recommendations``; its private ``_heading`` and ``_lead`` hints are
    consumed).
    ``abbreviations``: the document's, if already found; else ``text`` is searched for each one
    a name uses (``understanding.abbreviations.defined_in``).
    and the agency type where only an abbreviation named it. Returns the indexes of the
    recommendations whose agency it filled (their SMART "specific" may change). ``resolver``
    (optional) is the document's resolver, shared with the action-plan rows."""
    resolver = resolver or OwnerResolver(abbreviations, area, registry, text=text)
    leads = _action_leads(actions)
    filled: list[int] = []
    for i, rec in enumerate(recs):
        heading = rec.pop("_heading", None)
        lead = rec.pop("_lead", None)
        owners = text_owners(rec["text"], resolver)
        source: str | None = "text"
        if not owners:
            h = resolver.owner(heading)
            owners, source = ([h], "heading") if h is not None else ([], None)
        if not owners:
            lead_owner = resolver.owner(lead)
            if lead_owner is None and rec.get("number") and rec["number"] in leads:
                lead_owner = leads[rec["number"]]
            owners, source = ([lead_owner], "action_plan") if lead_owner is not None else ([], None)
        orgs = list(dict.fromkeys(o.organisation for o in owners if o.organisation is not None))
        rec["organisation"] = _ref(orgs[0]) if orgs else None
        rec["organisations"] = [_ref(o) for o in orgs]
        rec["owner_source"] = source if orgs else None
        # The agency type stays the one recommendations found, except where only an
        # abbreviation named the addressee ("GMP should ...", "CFT to audit ...").
        if rec.get("agency") is None and owners and owners[0].agency and owners[0].abbreviation:
            rec["agency"] = owners[0].agency
            rec["agency_name"] = rec.get("agency_name") or owners[0].name
            filled.append(i)
    return filled


def _action_leads(actions: Iterable[Any]) -> dict[str, Owner]:
    """Seam for extracted action-plan rows (``Document.actions``): recommendation number ->
    the row's lead organisation, where the row resolved one."""
    reg = default_registry()
    out: dict[str, Owner] = {}
    for a in actions or ():
        get = a.get if isinstance(a, dict) else (lambda k, _a=a: getattr(_a, k, None))
        number, lead = get("recommendation"), get("lead")
        lead_id = lead.get("id") if isinstance(lead, dict) else getattr(lead, "id", None)
        org = reg.get(lead_id) if lead_id else None
        if number and org is not None and str(number) not in out:
            out[str(number)] = Owner(org, org.name, org.agency)
    return out


def _ref(org: Organisation) -> dict[str, str]:
    return {"id": org.id, "name": org.name}
