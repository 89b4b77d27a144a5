"""Typed schemas of the rule files in this folder: one pydantic model per ``<name>.yaml``.

An expert edits the YAML; :func:`understanding.rules.load` checks each file against its model here
the first time it is read, so a misspelt key, a list where a mapping belongs or a regular expression
that does not compile stops the run with a message naming the file and the key
(``recommendations.yaml: item_markers.2.pattern: ...``) instead of a confusing failure later.
Every mapping forbids keys it does not know: a new key is added here first, with its meaning.
Regular expressions are checked to compile (with the flags the code uses, case-insensitive).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc}): {pattern!r}") from None
    return pattern


Pattern = Annotated[str, AfterValidator(_compiles)]
Patterns = list[Pattern]
Weight = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=0)]
SegmentKind = Literal["front", "boilerplate", "narrative", "chronology", "analysis",
                      "recommendations", "action_plan", "back"]


class Rules(BaseModel):
    """A rule file or a part of one: unknown keys are errors (a misspelt key would otherwise be
    silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- abuse_types.yaml ------------------------------------------------------------------------

class AbuseTypeRules(Rules):
    min_score: Weight
    evidence_per_type: Count
    not_the_case: Patterns
    weights: dict[SegmentKind, Weight]
    abuse_types: dict[str, Patterns]
    behaviour: dict[str, Patterns]


# --- action_plans.yaml -----------------------------------------------------------------------

class ActionPlanRules(Rules):
    columns: dict[str, Patterns]
    anchor_columns: list[str]
    detail_columns: list[str]
    no_single_lead: Patterns
    continued_marker: Patterns = []
    status_phrases: dict[Literal["not_accepted", "superseded", "not_started", "in_progress",
                                 "completed"], Patterns]
    outcome_lead_in: Patterns


# --- agencies.yaml ---------------------------------------------------------------------------

class AgencyNames(Rules):
    names: list[str] = []
    acronyms: list[str] = []
    patterns: Patterns = []


class AgencyRules(Rules):
    min_generic_mentions: Count = 1
    police_forces: list[str]
    agencies: dict[str, AgencyNames]
    ignore: list[str]


# --- areas.yaml ------------------------------------------------------------------------------

class AreaContext(Rules):
    weight: int
    before: Pattern | None = None
    after: Pattern | None = None


class AreaRules(Rules):
    aliases: dict[str, str]
    extra_areas: dict[str, str]
    contexts: list[AreaContext]
    not_followed_by: Pattern
    pages: Count
    title_lines: Count
    title_weight: int
    min_score: int
    fallback_mentions: Count


# --- boilerplate.yaml ------------------------------------------------------------------------

class BoilerplateRules(Rules):
    markers: list[str]


# --- doc_types.yaml --------------------------------------------------------------------------

class DocTypeCue(Rules):
    where: Literal["start", "title", "text"]
    weight: int
    pattern: Pattern


class DocTypeStructure(Rules):
    action_plan_table_weight: int
    action_plan_table_max_pages: Count
    summary_max_pages: Count
    summary_weight: int
    overview_min_pages: Count
    overview_min_sections: Count
    overview_weight: int


class DocTypeRules(Rules):
    min_score: int
    title_lines: Count
    types: dict[Literal["home_office_letter", "learning_brief", "action_plan", "executive_summary",
                        "overview_report", "other"], list[DocTypeCue]]
    structure: DocTypeStructure


# --- metadata.yaml ---------------------------------------------------------------------------

class PseudonymRules(Rules):
    """Pseudonym forms in order of trust; group ``p`` is the pseudonym."""

    anywhere: Patterns = Field(description="read on the front pages and in the introduction")
    front_pages: Patterns = Field(description="read on the title and first pages only")


class RelationCue(Rules):
    votes: int
    pattern: Pattern


class RelationFrame(Rules):
    """A relation bound to the perpetrator ({perp}, {name}, {poss}, {R}: see metadata.yaml)."""
    pattern: Pattern
    kind: Literal["intimate_partner", "adult_family", "household_member"] | None = None


class PerpetratorRules(Rules):
    anchors: list[str]
    name: Pattern
    names: Patterns
    not_names: list[str]
    modifiers: Pattern
    frames: list[RelationFrame]


class MetadataRules(Rules):
    pseudonym: PseudonymRules
    not_pseudonym: list[str]
    age: Patterns
    sex: dict[Literal["female", "male"], Patterns]
    sex_statements: Patterns
    relation_terms: dict[str, Patterns]
    relation_apposition: Pattern
    relation_strong: Patterns
    death_types: dict[str, Patterns]
    death_words: Patterns
    death_words_weak: Patterns
    not_death_date: Pattern
    chair: Patterns
    chair_independent: Patterns
    chair_not_independent: Patterns
    family_involved: Patterns
    family_not_involved: Patterns
    relation_cues: dict[str, list[RelationCue]]
    perpetrator: PerpetratorRules


# --- recommendations.yaml --------------------------------------------------------------------

MarkerKind = Literal["rec", "r", "num", "letter", "roman", "bullet"]


class ItemMarker(Rules):
    """How a list item starts: its kind names the numbering scheme (``rec``: "Recommendation
    3", ``r``: "R3", ``num``: "3.1", ``letter``: "(a)", ``roman``: "(iv)", ``bullet``)."""

    kind: MarkerKind
    pattern: Pattern


class ModalRules(Rules):
    """The verbs that make a sentence a recommendation, for the different questions asked."""

    addressee_modal: Pattern = Field(description="the verb after an addressee (weakest)")
    addressee_strong: Pattern = Field(description="a strong modal after an addressee")
    passive_by: Pattern = Field(description="'should be commissioned by' the addressee")
    recommends: Pattern = Field(description="a text recommending something")
    must: Pattern = Field(description="a line obliging someone (outside a list)")
    table_cell: Pattern = Field(description="a table cell that recommends")


class RecommendationRules(Rules):
    scope_headings: dict[Literal["national", "regional", "local"], Patterns]
    item_markers: list[ItemMarker]
    sentence_starts: Patterns
    not_a_recommendation: Patterns
    labelled_line: Pattern
    table_columns: dict[str, Patterns]
    no_single_addressee: Patterns
    national_signals: Patterns
    regional_signals: Patterns
    national_agencies: list[str]
    modal_verbs: ModalRules


# --- sections.yaml (segment kinds) -----------------------------------------------------------

class SegmentRules(Rules):
    weights: dict[SegmentKind, Weight]
    after_chronology: dict[SegmentKind, Patterns]
    kinds: dict[SegmentKind, Patterns]


# --- smart.yaml ------------------------------------------------------------------------------

class SmartRules(Rules):
    strong_modal: Pattern = Field(description="'should', 'must', 'is to' before the action verb")
    concrete_actions: Patterns
    vague_only: Patterns
    measurable: Patterns
    time_bound: Patterns


# --- themes.yaml -----------------------------------------------------------------------------

class ThemeRules(Rules):
    min_score: Weight
    kind_caps: dict[SegmentKind, Weight]
    main_theme_weight: Weight
    other_theme_weight: Weight
    evidence_per_theme: Count
    not_a_finding: Patterns
    addressee_themes: dict[str, str]
    weak: dict[str, Patterns]
    themes: dict[str, Patterns]


SCHEMAS: dict[str, type[Rules]] = {
    "abuse_types": AbuseTypeRules,
    "action_plans": ActionPlanRules,
    "agencies": AgencyRules,
    "areas": AreaRules,
    "boilerplate": BoilerplateRules,
    "doc_types": DocTypeRules,
    "metadata": MetadataRules,
    "recommendations": RecommendationRules,
    "sections": SegmentRules,
    "smart": SmartRules,
    "themes": ThemeRules,
}
