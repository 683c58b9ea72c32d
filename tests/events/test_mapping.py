"""Which events a change makes, decided in one place: a version announces itself, then each
file it changed in path order; a commit's new state carries its error in words."""

from __future__ import annotations

from appwright.events.mapping import commit_updates, file_updates, version_written
from appwright.events.types import CommitUpdated, FileUpdated, VersionCreated


def test_a_version_is_announced_then_its_files_in_path_order() -> None:
    events = version_written("ver_1", "ai", {"b.css": "x", "a.html": None}, "run_1")
    assert isinstance(events[0], VersionCreated) and events[0].paths == ["a.html", "b.css"]
    assert [(e.path, e.deleted) for e in events[1:] if isinstance(e, FileUpdated)] == [
        ("a.html", True),
        ("b.css", False),
    ]
    assert {e.run_id for e in events} == {"run_1"}


def test_the_session_and_the_app_log_get_the_same_file_updates() -> None:
    from_app = version_written("ver_2", "ai", {"z.js": "1", "m.js": "2"}, "run_2")[1:]
    from_run = file_updates("ver_2", {"z.js": False, "m.js": False}, "run_2")
    assert [e.model_dump(exclude={"ts"}) for e in from_app] == [
        e.model_dump(exclude={"ts"}) for e in from_run
    ]


def test_a_commit_that_failed_says_why() -> None:
    [event] = commit_updates([("ver_1", "failed", None, {"code": "auth", "message": "refused"})])
    assert isinstance(event, CommitUpdated)
    assert event.error is not None and event.error.message == "refused"
