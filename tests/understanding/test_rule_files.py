"""The rule files an expert edits (understanding/rules/*.yaml) each follow a typed schema: every
file loads, and a malformed one stops with a message naming the file and the key at fault."""

from __future__ import annotations

from importlib import resources

import pytest

from understanding.rules import RuleFileError, check_all, load, parse, rules
from understanding.rules.schema import SCHEMAS, MetadataRules, RecommendationRules


def _text(name: str) -> str:
    return resources.files("understanding.rules").joinpath(f"{name}.yaml").read_text(
        encoding="utf-8")


def test_every_rule_file_in_the_folder_has_a_schema():
    files = {p.name[:-5] for p in resources.files("understanding.rules").iterdir()
             if p.name.endswith(".yaml")}
    assert files == set(SCHEMAS)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_each_rule_file_loads_and_validates(name):
    data, model = parse(name, _text(name))
    assert isinstance(model, SCHEMAS[name])
    assert load(name) == data


def test_check_all_names_every_file():
    assert check_all() == list(SCHEMAS)


def test_list_markers_and_trusted_pseudonyms_have_explicit_keys():
    recs = rules("recommendations")
    assert isinstance(recs, RecommendationRules)
    assert [m.kind for m in recs.item_markers] == ["rec", "r", "num", "letter", "letter", "roman",
                                                    "bullet"]
    meta = rules("metadata")
    assert isinstance(meta, MetadataRules)
    assert meta.pseudonym.anywhere and meta.pseudonym.front_pages


def test_an_unknown_marker_kind_names_the_file_and_key():
    text = _text("recommendations").replace("  - kind: roman\n", "  - kind: romans\n", 1)
    with pytest.raises(RuleFileError) as err:
        parse("recommendations", text)
    assert str(err.value).startswith("recommendations.yaml: item_markers.5.kind: ")
    assert "'roman'" in str(err.value)


def test_a_regular_expression_that_does_not_compile_names_the_file_and_key():
    text = _text("smart").replace("strong_modal: '", "strong_modal: '(unclosed", 1)
    with pytest.raises(RuleFileError, match=r"^smart\.yaml: strong_modal: .*not a valid regular "
                                            r"expression"):
        parse("smart", text)


def test_a_misspelt_key_is_refused_not_ignored():
    text = _text("themes").replace("min_score:", "min_scor:", 1)
    with pytest.raises(RuleFileError) as err:
        parse("themes", text)
    assert "themes.yaml: " in str(err.value)
    assert "min_scor: Extra inputs are not permitted" in str(err.value)
    assert "min_score: Field required" in str(err.value)


def test_a_list_where_a_mapping_belongs_names_the_key():
    text = _text("metadata").replace("  anywhere:\n", "  anywhere: 3\n  unused:\n", 1)
    with pytest.raises(RuleFileError, match=r"^metadata\.yaml: pseudonym\.anywhere: "):
        parse("metadata", text)


def test_text_that_is_not_yaml_names_the_file():
    with pytest.raises(RuleFileError, match=r"^areas\.yaml: not valid YAML"):
        parse("areas", "aliases: [unclosed\n")
