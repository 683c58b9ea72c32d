"""The paths a run has edited: one ordered list per run (`RunState.edited_paths`), grown in
one way. The tool set adds to it as each edit lands, and the run's journal merges it into
the run's row in the edit's own transaction, so the list `run.finished` reports is the list
a process taking the run over resumes with."""

from __future__ import annotations

from collections.abc import Iterable


def add_edited(edited: list[str], paths: Iterable[str]) -> list[str]:
    """Appends to `edited` (in place) each of `paths` it does not hold yet, in order."""
    for path in paths:
        if path not in edited:
            edited.append(path)
    return edited
