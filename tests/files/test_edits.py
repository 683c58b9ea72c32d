"""The matching cascade and its refusals, as pure functions (no service, no I/O)."""

from __future__ import annotations

import re

import pytest

from appwright.files.edits import Edit, apply_all, apply_one
from appwright.files.matching import Level
from appwright.files.refusals import EditRefused

PAGE = (
    "<main>\n"
    '    <section id="about">\n'
    "        <h2>About us</h2>\n"
    "        <p>We bake bread.</p>\n"
    "    </section>\n"
    '    <section id="team">\n'
    "        <h2>Our team</h2>\n"
    "        <p>We bake bread.</p>\n"
    "    </section>\n"
    "</main>\n"
)


def edit(content: str, old: str, new: str) -> tuple[str, Level | None, tuple[str, ...]]:
    after, applied = apply_one("page.html", content, Edit(old, new))
    return after, applied.level, applied.notes


def refusal(content: str, old: str, new: str = "x") -> EditRefused:
    with pytest.raises(EditRefused) as caught:
        apply_one("page.html", content, Edit(old, new))
    return caught.value


def test_exact_match_replaces_the_one_place() -> None:
    after, level, notes = edit(PAGE, "<h2>About us</h2>", "<h2>About the bakery</h2>")
    assert after == PAGE.replace("About us", "About the bakery")
    assert level is Level.EXACT and notes == ()


def test_trailing_whitespace_in_the_file_or_old_code_is_ignored() -> None:
    content = PAGE.replace("<h2>About us</h2>\n", "<h2>About us</h2>   \n")
    old = "        <h2>About us</h2>\n        <p>We bake bread.</p>"
    after, level, _ = edit(content, old, "        <h2>Hi</h2>\n        <p>We bake bread.</p>")
    assert level is Level.TRAILING_WHITESPACE
    assert after == PAGE.replace("About us", "Hi")
    after, level, _ = edit(PAGE, old.replace("\n", "  \n") + " \t", old.replace("About us", "Hi"))
    assert level is Level.TRAILING_WHITESPACE and after == PAGE.replace("About us", "Hi")


def test_blank_lines_around_old_code_that_the_file_lacks_are_dropped_on_both_sides() -> None:
    old = "\n        <h2>About us</h2>\n\n"
    after, level, _ = edit(PAGE, old, "\n        <h2>About</h2>\n\n")
    assert level is Level.TRAILING_WHITESPACE
    assert after == PAGE.replace("About us", "About")


def test_crlf_file_matched_by_lf_old_code_and_new_code_written_in_crlf() -> None:
    content = PAGE.replace("\n", "\r\n")
    old = "        <h2>Our team</h2>\n        <p>We bake bread.</p>\n"
    new = "        <h2>Our team</h2>\n        <p>We bake rye.</p>\n        <p>Daily.</p>\n"
    after, level, notes = edit(content, old, new)
    assert level is Level.LINE_ENDINGS
    assert after == content.replace(
        "<p>We bake bread.</p>\r\n    </section>\r\n</main>",
        "<p>We bake rye.</p>\r\n        <p>Daily.</p>\r\n    </section>\r\n</main>",
    )
    assert "\n" not in after.replace("\r\n", "")
    assert any("CRLF" in n for n in notes)


def test_de_indented_old_code_matches_and_new_code_takes_the_file_indentation() -> None:
    old = '<section id="team">\n    <h2>Our team</h2>'
    new = '<section id="team" class="wide">\n    <h2>Our team</h2>\n    <ul>\n        <li>Ann</li>\n    </ul>'
    after, level, notes = edit(PAGE, old, new)
    assert level is Level.INDENTATION
    assert (
        '    <section id="team" class="wide">\n        <h2>Our team</h2>\n'
        "        <ul>\n            <li>Ann</li>\n        </ul>\n"
    ) in after
    assert any("re-indented" in n for n in notes)


def test_tabs_for_spaces_and_two_spaces_for_four_are_mapped_to_the_file_style() -> None:
    tabbed = '\t<section id="team">\n\t\t<h2>Our team</h2>\n\t\t<p>We bake bread.</p>\n\t</section>'
    new = '\t<section id="team">\n\t\t<h2>Our team</h2>\n\t\t<div>\n\t\t\t<p>Rye</p>\n\t\t</div>\n\t</section>'
    after, level, _ = edit(PAGE, tabbed, new)
    assert level is Level.INDENTATION
    assert "        <div>\n            <p>Rye</p>\n        </div>\n    </section>" in after
    two = '<section id="team">\n  <h2>Our team</h2>'
    after, _, _ = edit(
        PAGE, two, '<section id="team">\n  <h2>Team</h2>\n  <div>\n    <p>x</p>\n  </div>'
    )
    assert (
        '    <section id="team">\n        <h2>Team</h2>\n        <div>\n            <p>x</p>'
        in after
    )


def test_a_tabbed_file_gets_tabs() -> None:
    content = "function f() {\n\tif (a) {\n\t\treturn 1;\n\t}\n}\n"
    after, level, _ = edit(
        content, "if (a) {\n    return 1;\n}", "if (a) {\n    return 2;\n}\nreturn 0;"
    )
    assert level is Level.INDENTATION
    assert after == "function f() {\n\tif (a) {\n\t\treturn 2;\n\t}\n\treturn 0;\n}\n"


def test_uneven_indentation_is_refused_with_the_lines_to_copy() -> None:
    old = '<section id="team">\n<h2>Our team</h2>\n    <p>We bake bread.</p>\n</section>'
    error = refusal(PAGE, old)
    assert error.code == "edit_indentation"
    assert "lines 6-9" in error.message and "\n7→        <h2>Our team</h2>" in error.message


def test_typographic_quotes_match_and_the_file_keeps_its_own() -> None:
    content = "<p>Don\u2019t miss our \u201cfresh\u201d bread \u2014 baked daily\u2026</p>\n"
    after, level, notes = edit(
        content,
        '<p>Don\'t miss our "fresh" bread - baked daily...</p>',
        '<p>Don\'t miss our "fresh" rye bread - baked daily...</p>',
    )
    assert level is Level.LOOK_ALIKES
    assert (
        after == "<p>Don\u2019t miss our \u201cfresh\u201d rye bread \u2014 baked daily\u2026</p>\n"
    )
    assert notes
    # A fragment inside a line, with curly quotes the file does not have.
    after, level, _ = edit('alert("Don\'t");\n', "Don\u2019t", "Do not")
    assert level is Level.LOOK_ALIKES and after == 'alert("Do not");\n'


def test_line_numbers_copied_from_a_read_are_taken_out() -> None:
    old = " 7→        <h2>Our team</h2>\n 8→        <p>We bake bread.</p>"
    new = " 7→        <h2>Our team</h2>\n 8→        <p>We bake rye.</p>"
    after, applied = apply_one("page.html", PAGE, Edit(old, new))
    assert applied.numbers_removed and applied.level is Level.EXACT
    assert after == PAGE.replace(
        "bake bread.</p>\n    </section>\n</main>", "bake rye.</p>\n    </section>\n</main>"
    )
    assert "line numbers" in applied.describe()


def test_numbers_that_do_not_run_on_are_not_line_numbers() -> None:
    error = refusal(PAGE, " 7→        <h2>Our team</h2>\n 9→        <p>We bake bread.</p>")
    assert error.code == "edit_no_match"


def test_two_exact_places_are_refused_with_each_line_and_what_tells_them_apart() -> None:
    error = refusal(PAGE, "        <p>We bake bread.</p>\n")
    assert error.code == "edit_ambiguous" and error.data["matches"] == 2
    assert "line 4, line 8" in error.message
    assert "line 3, 1 line before it, is `<h2>About us</h2>`" in error.message
    assert "line 7, 1 line before it, is `<h2>Our team</h2>`" in error.message
    assert "2 places" in error.summary


def test_a_loose_level_with_two_places_refuses_and_names_the_level() -> None:
    content = "a {\n  color: red;\n}\nb {\n    color: red;\n}\n"
    error = refusal(content, "\tcolor: red;\n}")
    assert error.code == "edit_ambiguous"
    assert "ignoring indentation" in error.message and "lines 2-3, lines 5-6" in error.message


def test_not_found_shows_the_closest_lines_and_the_first_difference() -> None:
    old = "        <h2>Our team</h2>\n        <p>We bake cakes.</p>"
    error = refusal(PAGE, old)
    assert error.code == "edit_no_match"
    assert "The closest place is lines 7-8" in error.message
    assert "\n8→        <p>We bake bread.</p>" in error.message
    assert "The first difference is line 8" in error.message
    assert re.search(r"\(\d+% similar\)", error.message)
    assert "closest: lines 7-8" in error.summary


def test_something_not_there_at_all_still_names_the_most_similar_lines() -> None:
    error = refusal(PAGE, "const total = items.reduce((a, b) => a + b, 0);")
    assert error.code == "edit_no_match"
    assert re.search(r"The most similar place is lines? \d+", error.message)
    assert "search_code" in error.message


def test_file_changed_since_read_says_so_with_the_current_lines() -> None:
    with pytest.raises(EditRefused) as caught:
        apply_all("page.html", PAGE, [Edit("<h2>Our crew</h2>", "x")], changed="undone since")
    assert caught.value.code == "edit_file_changed"
    assert "page.html has changed since you last read it (undone since)" in caught.value.message
    assert "\n7→        <h2>Our team</h2>" in caught.value.message


def test_several_edits_apply_in_order_all_or_nothing() -> None:
    edits = [Edit("About us", "About"), Edit("About</h2>", "About!</h2>"), Edit("Our team", "Team")]
    after, applied = apply_all("page.html", PAGE, edits)
    assert after == PAGE.replace("About us", "About!").replace("Our team", "Team")
    assert [a.replaced for a in applied] == [(3, 3), (3, 3), (7, 7)]
    with pytest.raises(EditRefused) as caught:
        apply_all("page.html", PAGE, [Edit("About us", "About"), Edit("Nope", "x")])
    assert caught.value.message.startswith("Edit 2 of 2 was refused, so none of the 2 edits")
    assert caught.value.data["edit"] == 2


def test_empty_old_code_writes_the_whole_file_alone() -> None:
    after, applied = apply_one("new.html", None, Edit("", "<p>x</p>"))
    assert after == "<p>x</p>" and applied.level is None and not applied.numbers_removed
    after, applied = apply_one("page.html", PAGE, Edit("", "1→<main>\n2→</main>\n"))
    assert after == "<main>\n</main>\n" and applied.numbers_removed
    with pytest.raises(Exception, match="cannot be combined"):
        apply_all("page.html", PAGE, [Edit("", "x"), Edit("About", "y")])


def test_whitespace_only_old_code_is_placed_only_exactly() -> None:
    error = refusal("a\n\nb\n\nc\n", "\n\n")
    assert error.code == "edit_ambiguous"
