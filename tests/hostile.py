"""Hypothesis strategies for hostile text: any code point, with the characters that have
broken things (lone surrogates, NUL, bidirectional and invisible characters, line
separators, a character split into its surrogate halves) mixed in often enough to matter."""

from __future__ import annotations

from hypothesis import strategies as st

NASTY = [
    "\ud800",
    "\udfff",
    "\ud83d",
    "\ude00",
    "\x00",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufeff",
    "\u2028",
    "e\u0301",
    "\U000e0001",
    "\ufffd",
    "😀",
    "..",
    "/",
]

hostile_char = st.one_of(st.characters(codec=None, categories=None), st.sampled_from(NASTY))
hostile_text = st.lists(hostile_char, max_size=12).map("".join)
hostile_json = st.recursive(
    st.none() | st.booleans() | st.integers() | hostile_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3)
    ),
    max_leaves=10,
)
