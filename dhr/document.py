"""The Document model: one extracted source file (contract.md section 2, schema ``dhr.document/1``).

Ingest produces it, the store keeps it per (sha256, extractor_version), and both search backends
index it. Unknown values are ``None``: never guessed. Facet values are taxonomy ids.
``dhr/schema/document.schema.json`` is generated from this model (``python -m dhr.document``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

SCHEMA_ID: Final = "dhr.document/1"
# A document id: the sha256 of the file, in lower-case hex (the API and UI check ids with it).
DOCUMENT_ID_PATTERN: Final = r"^[0-9a-f]{64}$"
SCHEMA_PATH = Path(__file__).parent / "schema" / "document.schema.json"

DocType = Literal["overview_report", "executive_summary", "action_plan", "learning_brief",
                  "home_office_letter", "other"]
ReviewType = Literal["intimate_partner", "adult_family", "household_member"]
DeathType = Literal["homicide", "suicide", "homicide_suicide", "other"]
AbuseType = Literal["coercive_control", "economic_abuse", "physical_abuse", "emotional_abuse",
                    "sexual_abuse", "stalking", "separation", "forced_marriage",
                    "faith_based_marriage", "honour_based_abuse", "children_present"]
AgeBand = Literal["16-19", "20-24", "25-34", "35-44", "45-54", "55-64", "65+"]
Region = Literal["North East", "North West", "Yorkshire and Humber", "East Midlands",
                 "West Midlands", "East", "Greater London", "South East", "South West", "Wales"]
Scope = Literal["local", "regional", "national"]
Format = Literal["pdf", "docx", "doc", "html", "txt"]

DATE_OF_DEATH_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]))?$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Victim(_Model):
    age: int | None = Field(default=None, ge=0, le=120)
    age_band: AgeBand | None = None
    sex: Literal["female", "male"] | None = None


class Chair(_Model):
    name: str | None = None
    independent: bool | None = None


class Review(_Model):
    pseudonym: str | None = None
    area: str | None = None
    region: Region | None = None
    date_of_death: str | None = Field(default=None, pattern=DATE_OF_DEATH_PATTERN)
    review_type: ReviewType | None = None
    death_type: DeathType | None = None
    victim: Victim = Field(default_factory=Victim)
    abuse_types: list[AbuseType] = Field(default_factory=list)
    chair: Chair = Field(default_factory=Chair)
    family_involved: bool | None = None

    @property
    def year_of_death(self) -> int | None:
        return int(self.date_of_death[:4]) if self.date_of_death else None


class Agency(_Model):
    id: str
    name: str
    mentions: int = Field(default=1, ge=0)
    page: int | None = Field(default=None, ge=1)


class Evidence(_Model):
    page: int = Field(ge=1)
    text: str


class Theme(_Model):
    id: str
    mentions: int = Field(default=1, ge=0)
    evidence: list[Evidence] = Field(default_factory=list)


class Smart(_Model):
    specific: bool = False
    measurable: bool = False
    time_bound: bool = False
    score: int = Field(default=0, ge=0, le=3)


class OrganisationRef(_Model):
    """An organisation of the registry (accountability.md): its stable id and display name."""

    id: str
    name: str


ActionStatus = Literal["completed", "in_progress", "not_started", "not_accepted", "superseded"]
YearMonth = Annotated[str, StringConstraints(pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$")]


class Recommendation(_Model):
    number: str | None = None
    text: str
    agency: str | None = None
    agency_name: str | None = None
    # Owner from the organisation registry (contract.md 2a): null when nobody, or only a kind of
    # service, is named; ``organisations`` lists every owner, the first being ``organisation``.
    organisation: OrganisationRef | None = None
    organisations: list[OrganisationRef] = Field(default_factory=list)
    # "correction": a person set the owners (dhr/corrections.py), over what extraction read.
    owner_source: Literal["text", "heading", "action_plan", "correction"] | None = None
    scope: Scope | None = None
    page: int | None = Field(default=None, ge=1)
    source: Literal["list", "table"] | None = None
    smart: Smart = Field(default_factory=Smart)
    themes: list[str] = Field(default_factory=list)


class Action(_Model):
    """One row of a published action plan (contract.md 2a), linked to its recommendation."""

    recommendation: str | None = None
    action: str | None = None
    lead: OrganisationRef | None = None
    lead_name: str | None = None
    milestones: str | None = None
    target_date: YearMonth | None = None
    completed_date: YearMonth | None = None
    outcome: str | None = None
    status: ActionStatus | None = None
    page: int | None = Field(default=None, ge=1)


class Section(_Model):
    title: str
    number: str | None = None
    page: int | None = Field(default=None, ge=1)
    level: int | None = Field(default=None, ge=1)


class Source(_Model):
    url: str | None = None
    site: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    online: bool | None = None


class Document(_Model):
    schema_: Literal["dhr.document/1"] = Field(default=SCHEMA_ID, alias="schema")
    id: str = Field(pattern=DOCUMENT_ID_PATTERN)
    filename: str | None = None
    format: Format
    extractor_version: str
    page_count: int = Field(ge=0)
    ocr_pages: list[int] = Field(default_factory=list)
    doc_type: DocType | None = None
    title: str | None = None
    review: Review = Field(default_factory=Review)
    agencies: list[Agency] = Field(default_factory=list)
    themes: list[Theme] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    pages: list[str] = Field(default_factory=list)
    source: Source | None = None
    # Extensions (contract allows new fields): links a review's documents, and where values came
    # from.
    review_key: str | None = None
    provenance: dict[str, Any] = Field(default_factory=dict)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("ocr_pages")
    @classmethod
    def _pages_1_based(cls, v: list[int]) -> list[int]:
        if any(p < 1 for p in v):
            raise ValueError("page numbers are 1-based")
        return v

    @property
    def year_of_death(self) -> int | None:
        return self.review.year_of_death

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Document:
        return cls.model_validate(data)


def json_schema() -> dict[str, Any]:
    schema = Document.model_json_schema(by_alias=True)
    schema["$id"] = SCHEMA_ID
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def write_json_schema(path: Path = SCHEMA_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":  # python -m dhr.document  -> regenerate the committed JSON Schema
    write_json_schema(Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_PATH)
