"""The pre-tokenised fields are split on spaces at index time: the same tokens, at the same
positions, as Elasticsearch's standard tokenizer gives on that text, so matching is unchanged."""

from __future__ import annotations

import pytest

from dhr.search import open_backend
from dhr.search.highlight import normalize_for_index

TEXTS = [
    "Multi-agency risk assessment (MARAC) on 12/03/2019 at 10:30.",
    "Zoë's GP didn't ask; the IDVA’s notes say “no contact”.",
    "naïve café, coöperate, Ørsted, Ægir, straße, İstanbul",
    "co-operation e-mail x2 B&Q 3rd 1.5mg 50% £200 #MeToo @police",
    "Section 42 (Care Act 2014) — s.47 enquiry; DA/DV; A&E; 999-call",
    "word " + "a" * 300 + " end",  # a token longer than 255 characters
    "tab\tseparated\nnew lines\r\nand  double  spaces",
]


@pytest.mark.parametrize("text", TEXTS)
def test_index_analyzers_give_the_standard_tokens_on_normalised_text(es_config, text):
    backend = open_backend(es_config)
    backend.ensure_indices()
    index = backend.alias["documents"]
    normalised = normalize_for_index(text)

    def tokens(**how) -> list[tuple[str, int]]:
        res = backend.es.indices.analyze(index=index, text=normalised, **how)
        return [(t["token"], t["position"]) for t in res["tokens"]]

    standard_exact = tokens(tokenizer="standard", filter=["lowercase"])
    assert tokens(analyzer="dhr_exact") == standard_exact
    assert tokens(analyzer="dhr_stem") == tokens(
        tokenizer="standard", filter=["lowercase", {"type": "stemmer", "language": "english"}])
    assert standard_exact  # the comparison saw tokens
