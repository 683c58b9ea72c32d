"""The text rule: what is refused, what repair makes of it, and that repaired text can
always be encoded, stored as JSON and read back."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appwright import text
from appwright.errors import InvalidInput
from hostile import hostile_json, hostile_text

# Any code point at all, lone surrogates and NUL included: what a JSON escape can produce.
anything = hostile_text
json_values = hostile_json


def test_lone_surrogates_and_nul_are_named_with_their_position() -> None:
    assert text.find("fine é 😀") is None
    assert text.find("ab\ud800") == "a lone surrogate (U+D800) at position 2"
    assert text.find("\x00") == "a NUL character at position 0"
    with pytest.raises(InvalidInput) as refused:
        text.check("hi \udfff", "The message")
    assert refused.value.code == "invalid_text"
    assert "U+DFFF" in refused.value.message


def test_repair_replaces_each_bad_character_and_joins_split_pairs() -> None:
    assert text.repair("a\ud800b\x00c") == "a\ufffdb\ufffdc"
    # A character split into its two surrogate halves (two chunks glued back) is restored.
    assert text.repair("\ud83d" + "\ude00") == "😀"
    clean = "nothing to do"
    assert text.repair(clean) is clean


def test_names_are_nfc() -> None:
    assert text.name("e\u0301", "A name") == "\u00e9"
    with pytest.raises(InvalidInput):
        text.name("\ud800", "A name")


def test_trees_are_checked_keys_included_and_depth_bounded() -> None:
    with pytest.raises(InvalidInput) as key:
        text.check_tree({"files": {"\ud800.js": "x"}}, "The request body")
    assert key.value.code == "invalid_text" and "a key of files" in key.value.message
    with pytest.raises(InvalidInput) as value:
        text.check_tree({"a": [1, {"b": "x\x00"}]}, "The body")
    assert "a[1].b" in value.value.message
    deep: object = "x"
    for _ in range(text.MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(InvalidInput) as nested:
        text.check_tree(deep, "The body")
    assert nested.value.code == "invalid_json"


@given(anything)
def test_repaired_text_is_valid_and_repair_is_idempotent(value: str) -> None:
    repaired = text.repair(value)
    assert text.find(repaired) is None
    repaired.encode("utf-8")
    assert text.repair(repaired) == repaired
    if text.find(value) is None:
        assert repaired == value


@given(json_values)
def test_a_repaired_tree_survives_a_json_round_trip(value: object) -> None:
    repaired = text.repair_tree(value)
    assert text.find_in_tree(repaired) is None
    encoded = json.dumps(repaired, ensure_ascii=False).encode("utf-8")
    assert json.loads(encoded) == repaired


@given(st.text(max_size=20))
def test_a_name_is_stable_under_normalisation(value: str) -> None:
    clean = text.repair(value)
    named = text.name(clean, "A name")
    assert named == unicodedata.normalize("NFC", unicodedata.normalize("NFD", clean))
