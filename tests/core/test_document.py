"""The Document model: examples validate and round-trip; the committed JSON Schema is current."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from dhr.document import SCHEMA_PATH, Document, json_schema

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contract"))
from corpus import build_corpus

EXAMPLE = {
    "schema": "dhr.document/1", "id": "a" * 64, "filename": "DHR-Overview.pdf", "format": "pdf",
    "extractor_version": "1", "page_count": 2, "ocr_pages": [2], "doc_type": "overview_report",
    "title": "Domestic Homicide Review: Overview Report into the death of Jane",
    "review": {"pseudonym": "Jane", "area": "Preston", "region": "North West",
               "date_of_death": "2019-05", "review_type": "intimate_partner",
               "death_type": "homicide",
               "victim": {"age": 34, "age_band": "25-34", "sex": "female"},
               "abuse_types": ["coercive_control", "stalking"],
               "chair": {"name": "A. Chair", "independent": True}, "family_involved": True},
    "agencies": [{"id": "police", "name": "Lancashire Constabulary", "mentions": 14}],
    "themes": [{"id": "risk_assessment", "mentions": 9, "evidence": [{"page": 1, "text": "..."}]}],
    "recommendations": [{"number": "3", "text": "Lancashire Constabulary to ...",
                         "agency": "police",
                         "agency_name": "Lancashire Constabulary", "scope": "local", "page": 2,
                         "source": "list", "smart": {"specific": True, "measurable": False,
                                                     "time_bound": True, "score": 2}}],
    "sections": [{"title": "Terms of Reference", "number": "4", "page": 1}],
    "pages": ["text of page 1", "text of page 2"],
    "source": {"url": "https://example.org/a.pdf", "site": "example.org",
               "first_seen": "2026-01-01T00:00:00Z", "last_seen": "2026-01-02T00:00:00Z",
               "online": True},
}


def test_contract_example_validates_and_round_trips():
    doc = Document.model_validate(EXAMPLE)
    out = doc.to_json_dict()
    assert _contains(out, EXAMPLE)  # extensions (new optional fields) may be added
    assert Document.model_validate(json.loads(json.dumps(out))) == doc


def _contains(got, want) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and _contains(got[k], v)
                                             for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(
            _contains(g, w) for g, w in zip(got, want, strict=False))
    return got == want


def test_corpus_documents_round_trip():
    for doc in build_corpus():
        assert Document.from_json_dict(json.loads(json.dumps(doc.to_json_dict()))) == doc


@pytest.mark.parametrize("patch", [
    {"format": "exe"}, {"id": "not-a-sha"}, {"doc_type": "novel"}, {"unknown_field": 1},
    {"review": {"date_of_death": "May 2019"}}, {"review": {"region": "Mars"}},
    {"review": {"abuse_types": ["shouting"]}}, {"ocr_pages": [0]},
])
def test_invalid_documents_are_rejected(patch):
    with pytest.raises(ValidationError):
        Document.model_validate({**EXAMPLE, **patch})


def test_committed_json_schema_is_current():
    assert json.loads(SCHEMA_PATH.read_text()) == json_schema(), \
        "regenerate with: python -m dhr.document"


def test_example_validates_against_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(EXAMPLE, json_schema())
