"""search_code's matching, as a pure function: answers, caps, globs, bad and slow patterns."""

from __future__ import annotations

import pytest

from appwright.errors import ToolError
from appwright.files.grep import MAX_LINE, Glob, search

FILES = {
    "index.html": '<h1>Hi</h1>\n<p class="lead">Hello</p>\r\n',
    "css/site.css": "h1 { color: red; }\n.lead { color: red; }\n",
    "js/app.js": "const red = 'red';\n",
}


def test_answers_path_line_text_in_path_order_one_line_per_file_line() -> None:
    found = search(FILES, r"red")
    assert [(h.path, h.line, h.text) for h in found.hits] == [
        ("css/site.css", 1, "h1 { color: red; }"),
        ("css/site.css", 2, ".lead { color: red; }"),
        ("js/app.js", 1, "const red = 'red';"),
    ]
    assert found.answer("red", None).endswith("(3 matching lines in 2 of 3 files.)")
    assert search(FILES, r"Hello").hits[0].text == '<p class="lead">Hello</p>'  # no CR


def test_anchors_work_per_line_and_case_can_be_ignored() -> None:
    assert [h.line for h in search(FILES, r"^\.lead").hits] == [2]
    assert [h.path for h in search(FILES, r"(?i)^H1").hits] == ["css/site.css"]


def test_the_answer_is_capped_and_says_so() -> None:
    found = search({"a.txt": "x\n" * 50}, "x", max_hits=10)
    assert found.capped and len(found.hits) == 10
    answer = found.answer("x", None).splitlines()
    assert len(answer) == 11 and "Only the first 10 matching lines are shown" in answer[-1]
    assert found.summary == "10 matching lines (capped)"


def test_a_long_line_is_shown_around_its_match() -> None:
    line = "a" * 1000 + "needle" + "b" * 1000
    [hit] = search({"min.js": line}, "needle").hits
    assert "needle" in hit.text and hit.text.startswith("…") and hit.text.endswith("…")
    assert len(hit.text) == MAX_LINE + 2


@pytest.mark.parametrize(
    ("glob", "selected"),
    [
        ("*.css", ["css/site.css"]),
        ("css/*", ["css/site.css"]),
        ("**/*.{js,html}", ["index.html", "js/app.js"]),
        ("[!c]*/*", ["js/app.js"]),
        ("*", ["css/site.css", "index.html", "js/app.js"]),
    ],
)
def test_path_globs(glob: str, selected: list[str]) -> None:
    assert [p for p in sorted(FILES) if Glob.parse(glob)(p)] == selected


def test_no_match_is_an_answer_not_an_error() -> None:
    assert search(FILES, "blue", "*.css").answer("blue", "*.css") == (
        "No line matches /blue/ in 1 file matching '*.css'."
    )


def test_a_bad_pattern_or_glob_is_a_clear_error() -> None:
    with pytest.raises(ToolError, match=r"not a valid regular expression \(missing \)") as bad:
        search(FILES, "(red")
    assert bad.value.code == "invalid_pattern"
    with pytest.raises(ToolError) as glob:
        search(FILES, "red", "*.{css")
    assert glob.value.code == "invalid_glob"


def test_a_catastrophic_pattern_stops_at_the_time_limit() -> None:
    with pytest.raises(ToolError, match="took longer than 0.2 s") as slow:
        search({"a.txt": "a" * 5000 + "b"}, r"(a|aa)+$", time_limit=0.2)
    assert slow.value.code == "search_too_slow"
