"""The query parser: table-driven cases of the user syntax and its errors."""

from __future__ import annotations

import pytest

from dhr.query import (
    MAX_LEAVES,
    MAX_NESTING,
    MAX_PREFIXES,
    And,
    MatchNone,
    Not,
    Or,
    Phrase,
    Prefix,
    QuerySyntaxError,
    Term,
    parse_query,
)


@pytest.mark.parametrize("text, expected", [
    ("risk", Term("risk")),
    ("Risk Assessment", And((Term("risk"), Term("assessment")))),
    ('"risk assessment"', Phrase(("risk", "assessment"))),
    ("police -covid", And((Term("police"), Not(Term("covid"))))),
    ('-"lockdown rules" housing', And((Not(Phrase(("lockdown", "rules"))), Term("housing")))),
    ("alcohol OR drugs", Or((Term("alcohol"), Term("drugs")))),
    ("assess*", Prefix("assess")),
    ("multi-agency", Phrase(("multi", "agency"), exact=False)),
    ("the of and", MatchNone()),
    ("the housing", Term("housing")),
    ("Zoë", Term("zoe")),
    ("(alcohol OR drugs) -covid", And((Or((Term("alcohol"), Term("drugs"))), Not(Term("covid"))))),
    ("", None),
    ("   ", None),
])
def test_parses(text, expected):
    assert parse_query(text) == expected


def test_synonyms_expand_plain_words_only():
    assert parse_query("idva") == Or((Term("idva"),
                                      Phrase(("independent", "domestic", "violence", "advisor"),
                                             False),
                                      Phrase(("independent", "domestic", "violence", "adviser"),
                                             False)))
    assert parse_query('"idva"') == Phrase(("idva",))


def test_a_multi_word_synonym_keeps_its_words_as_an_alternative():
    words = And((Term("coercive"), Term("control")))
    assert parse_query("coercive control") == Or((
        words, Phrase(("coercive", "control"), False), Phrase(("controlling", "behaviour"), False),
        Phrase(("controlling", "behavior"), False)))
    assert parse_query("coercive control training") == And((
        parse_query("coercive control"), Term("training")))
    # the reverse order spells no synonym: just the words
    assert parse_query("control coercive") == And((Term("control"), Term("coercive")))


@pytest.mark.parametrize("text, fragment", [
    ('"unclosed', "closing quote"),
    ("(a OR b", "Unbalanced '('"),
    ("a OR b)", "Unbalanced ')'"),
    ("a OR", "'OR' must stand between"),
    ("OR a", "'OR' must stand between"),
    ("a OR OR b", "'OR' must stand between"),
    ("a*b*", "prefix search"),
    ("a*", "at least 2"),
    ("()", "Empty group"),
    ('""', "empty phrase"),
    ("- x", "must be followed"),
    ("x" * 5000, "too long"),
    (" ".join(["w"] * 500), "Too many words"),
])
def test_malformed_queries_raise_with_a_message(text, fragment):
    with pytest.raises(QuerySyntaxError) as err:
        parse_query(text)
    assert fragment in err.value.message


def test_parentheses_may_nest_up_to_the_limit():
    q = "(" * MAX_NESTING + "abuse" + ")" * MAX_NESTING
    assert parse_query(q) == Term("abuse")
    assert parse_query("-(" * MAX_NESTING + "abuse" + ")" * MAX_NESTING) is not None


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 10, 244, 1000])
def test_deeper_nesting_is_a_syntax_error_naming_the_limit(depth):
    for q in ("(" * depth + "abuse" + ")" * depth, "-(" * depth + "abuse" + ")" * depth,
              "(" * depth):  # unbalanced too: the depth is checked first
        with pytest.raises(QuerySyntaxError) as err:  # never a RecursionError
            parse_query(q)
        assert f"at most {MAX_NESTING} levels" in err.value.message
        assert err.value.position == MAX_NESTING * (2 if q.startswith("-") else 1) + \
            (1 if q.startswith("-") else 0)


def test_a_query_has_at_most_max_prefixes_prefix_searches():
    two_letters = [a + b for a in "abcdefghij" for b in "aeiou"]
    allowed = " OR ".join(p + "*" for p in two_letters[:MAX_PREFIXES])
    assert len(parse_query(allowed).children) == MAX_PREFIXES
    for count in (MAX_PREFIXES + 1, 400):
        with pytest.raises(QuerySyntaxError) as err:
            parse_query(" OR ".join(p + "*" for p in (two_letters * 8)[:count]))
        assert f"at most {MAX_PREFIXES}" in err.value.message and "prefix" in err.value.message


def test_synonyms_may_not_expand_a_query_past_max_leaves():
    parse_query(" OR ".join(["idva"] * (MAX_LEAVES // 3)))  # three alternatives each
    with pytest.raises(QuerySyntaxError) as err:
        parse_query(" OR ".join(["idva"] * (MAX_LEAVES // 3 + 1)))
    assert f"more than {MAX_LEAVES}" in err.value.message


def test_snippets_mark_at_most_max_highlight_leaves_distinct_leaves():
    from dhr.search.highlight import MAX_HIGHLIGHT_LEAVES, highlight_leaves

    words = [f"word{i}" for i in range(MAX_HIGHLIGHT_LEAVES + 5)]
    leaves = highlight_leaves(parse_query(" OR ".join(["police"] * 3 + words)))
    assert leaves == [Term("police")] + [Term(w) for w in words[:MAX_HIGHLIGHT_LEAVES - 1]]
    assert highlight_leaves(parse_query("police -covid")) == [Term("police")]
