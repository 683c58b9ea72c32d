"""Files as the model reads them: numbered windows, and numbers copied back recognised."""

from __future__ import annotations

from appwright.files.numbered import LONG_LINE, split_lines, strip_numbers, window


def test_a_window_numbers_its_lines_and_says_where_it_stopped() -> None:
    content = "".join(f"l{n}\n" for n in range(1, 13))
    shown = window(content, 1, 100, 10_000)
    assert (shown.first, shown.last, shown.total, shown.cut_by) == (1, 12, 12, None)
    assert shown.text.splitlines()[0] == " 1→l1" and shown.text.splitlines()[-1] == "12→l12"
    part = window(content, 5, 3, 10_000)
    assert (part.first, part.last, part.cut_by) == (5, 7, "lines")
    assert part.text == "5→l5\n6→l6\n7→l7"


def test_a_window_stops_at_its_byte_budget_but_shows_at_least_one_line() -> None:
    content = ("x" * 100 + "\n") * 50
    shown = window(content, 1, 1000, 1000)
    assert shown.cut_by == "bytes" and shown.last == 9
    one = window("y" * 5000, 1, 1000, 100)
    assert one.last == 1 and "[line cut: it has 5,000 characters]" in one.text
    assert len(one.text) < LONG_LINE + 100


def test_lines_of_a_file() -> None:
    assert split_lines("a\nb\n") == ["a", "b"]
    assert split_lines("a\nb") == ["a", "b"]
    assert split_lines("") == [] and split_lines("\n") == [""]


def test_numbers_copied_back_are_taken_out_only_when_every_line_runs_on() -> None:
    assert strip_numbers(" 9→a\n10→  b\n11→") == "a\n  b\n"
    assert strip_numbers("9→a\n10→b\n") == "a\nb\n"
    assert strip_numbers("9→a\n11→b") is None  # not consecutive
    assert strip_numbers("9→a\nb") is None  # a line without a number
    assert strip_numbers("a → b") is None
