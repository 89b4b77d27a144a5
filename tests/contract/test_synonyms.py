"""Synonyms only ever add matches, on both backends, for every multi-word synonym.

A generated family: for each multi-word alternative of each line of ``mappings/synonyms.txt``,
one document holds its words apart and in reverse order (``control ... coercive``), one holds
only one of its words, and for every alternative of the line one document holds that alternative
as a phrase. Typing the alternative's words must find the scattered document (all the words)
and every phrase document (the synonyms), never the one-word document, and at least what the
same words in reverse order (which spell no synonym) find; both backends agree exactly.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from both_engines import indexed_engines

from dhr.document import Document
from dhr.query import STOP_WORDS, synonym_groups
from dhr.search.base import DocumentRequest

FILLER = "The panel met again and agreed the next steps for this synthetic sample."


def _doc(key: str, text: str) -> Document:
    pages = [f"Synthetic sample {key}. {FILLER}", text, FILLER]
    return Document.model_validate({
        "id": hashlib.sha256(key.encode()).hexdigest(), "format": "txt",
        "extractor_version": "test", "page_count": len(pages), "doc_type": "overview_report",
        "title": f"Synonym sample {key}", "pages": pages})


def _family() -> tuple[list[Document], list[dict]]:
    docs: dict[str, Document] = {}
    cases = []
    for g, group in enumerate(synonym_groups()):
        phrase_keys = []
        for a, alt in enumerate(group):
            key = f"g{g}-phrase{a}"
            docs[key] = _doc(key, f"The report says {' '.join(alt)} in one place. {FILLER}")
            phrase_keys.append(key)
        for a, alt in enumerate(group):
            if len(alt) < 2:
                continue
            scattered = f"g{g}-scattered{a}"
            docs[scattered] = _doc(scattered, f" {FILLER} ".join(
                f"Here the word {w} appears." for w in reversed(alt)))
            partial = f"g{g}-partial{a}"
            # one of its words that is not itself a synonym on the line (dash, dash ric)
            word = next(w for w in reversed(alt) if (w,) not in group)
            docs[partial] = _doc(partial, f"Only the word {word} appears here. {FILLER}")
            cases.append({"words": list(alt), "scattered": scattered, "partial": partial,
                          "phrases": list(phrase_keys)})
    return list(docs.values()), cases


DOCS, CASES = _family()
ID = {d.title.removeprefix("Synonym sample "): d.id for d in DOCS}


def test_the_family_covers_every_multi_word_synonym():
    multi = [alt for group in synonym_groups() for alt in group if len(alt) > 1]
    assert len(CASES) == len(multi) >= 15
    assert all(not set(alt) & STOP_WORDS for alt in multi), "stop words in synonyms.txt"


@pytest.fixture(scope="module")
def engines(tmp_path_factory, es_url):
    engines = indexed_engines(tmp_path_factory, es_url, DOCS)
    yield engines
    engines["elasticsearch"].drop()


def _ids(engine, q: str) -> set[str]:
    resp = engine.search(DocumentRequest(q=q, page_size=100, facets=False))
    assert resp.total <= 100
    return {r["id"] for r in resp.results}


@pytest.mark.parametrize("case", CASES, ids=lambda c: " ".join(c["words"]))
def test_a_synonym_only_adds_matches(engines, case):
    typed = " ".join(case["words"])
    reversed_words = " ".join(reversed(case["words"]))
    found = {name: _ids(e, typed) for name, e in engines.items()}
    assert found["sqlite"] == found["elasticsearch"]
    for name, ids in found.items():
        assert ID[case["scattered"]] in ids, f"{name}: all the words, apart, not found"
        for key in case["phrases"]:
            assert ID[key] in ids, f"{name}: synonym phrase {key} not found"
        assert ID[case["partial"]] not in ids, f"{name}: one word of {typed!r} was enough"
        assert _ids(engines[name], reversed_words) <= ids, f"{name}: the synonym removed hits"


@pytest.mark.parametrize("engine_name", ["sqlite", "elasticsearch"])
def test_words_with_a_synonym_inside_a_longer_query(engines, engine_name):
    e = engines[engine_name]
    case = next(c for c in CASES if c["words"] == ["coercive", "control"])
    # 'appears' is in every scattered and partial document, 'says' in every phrase document
    assert ID[case["scattered"]] in _ids(e, "coercive control appears")
    assert ID[case["scattered"]] not in _ids(e, "coercive control says")
    assert {ID[k] for k in case["phrases"]} <= _ids(e, "coercive control says")
