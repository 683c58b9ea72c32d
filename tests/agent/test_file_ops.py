"""One message's file operations decided against a snapshot (pure: no store, no model)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from appwright.agent.file_ops import Limits, decide, paths_of
from appwright.agent.reads import SeenVersions, version_mark
from appwright.agent.tools import parse_input
from appwright.models.types import Message, ToolCallPart, ToolResultPart
from appwright.store.apps import FileRecord
from appwright.workspace import Snapshot

LIMITS = Limits(max_path_length=255, max_file_bytes=1000, max_app_bytes=2000)
NOW = datetime.now(UTC)


def snapshot(files: dict[str, str], versions: dict[str, str] | None = None) -> Snapshot:
    versions = versions or {}
    records = {
        p: FileRecord(p, len(c.encode()), versions.get(p, "ver_1"), NOW, c)
        for p, c in files.items()
    }
    return Snapshot(records, frozenset(files), sum(len(c.encode()) for c in files.values()))


def ops(*calls: tuple[str, dict[str, Any]]) -> list[tuple[str, Any]]:
    return [(f"call{i}", parse_input(name, raw)) for i, (name, raw) in enumerate(calls)]


def test_operations_apply_in_order_each_to_the_files_the_previous_left() -> None:
    batch = ops(
        ("rename_file", {"from": "a.css", "to": "css/a.css"}),
        ("apply_edit", {"filepath": "css/a.css", "old_code": "red", "new_code": "blue"}),
        ("delete_file", {"filepath": "b.js"}),
        ("apply_edit", {"filepath": "b.js", "old_code": "", "new_code": "new"}),
    )
    base = snapshot({"a.css": "p { color: red; }", "b.js": "old"})
    changes, results = decide(base, batch, LIMITS, SeenVersions())
    assert changes == {"a.css": None, "css/a.css": "p { color: blue; }", "b.js": "new"}
    assert [r.ok for r in results] == [True] * 4
    assert [r.answer("ver_2") for r in results][:3] == [
        "Renamed a.css to css/a.css (version ver_2). Files that refer to a.css still do: "
        "update them with apply_edit (search_code finds them).",
        "Updated css/a.css (version ver_2): line 1 (now line 1); matched exactly.",
        "Deleted b.js (version ver_2).",
    ]
    assert paths_of([op for _id, op in batch], 255) == ["a.css", "b.js", "css/a.css"]


def test_a_refused_call_changes_nothing_and_the_applied_ones_say_so() -> None:
    batch = ops(
        ("apply_edit", {"filepath": "a.css", "old_code": "red", "new_code": "blue"}),
        ("apply_edit", {"filepath": "a.css/x", "old_code": "", "new_code": "x"}),
        ("apply_edit", {"filepath": "big.txt", "old_code": "", "new_code": "x" * 1500}),
    )
    changes, results = decide(snapshot({"a.css": "red"}), batch, LIMITS, SeenVersions())
    assert changes == {"a.css": "blue"}
    assert [r.ok for r in results] == [True, False, False]
    assert (
        results[0]
        .answer(None)
        .endswith(
            "Note: 2 other calls in this message were refused and changed nothing (see their "
            "results); this one was applied."
        )
    )
    assert (
        results[1].message
        == "'a.css/x' would be inside 'a.css', which is a file. Nothing was changed."
    )
    assert results[2].message.startswith("big.txt is 1500 bytes; files are limited to 1000 bytes.")


def test_the_app_size_limit_refuses_the_call_that_crosses_it() -> None:
    batch = ops(
        ("apply_edit", {"filepath": "one.txt", "old_code": "", "new_code": "x" * 900}),
        ("apply_edit", {"filepath": "two.txt", "old_code": "", "new_code": "y" * 900}),
        ("delete_file", {"filepath": "one.txt"}),
        ("apply_edit", {"filepath": "three.txt", "old_code": "", "new_code": "z" * 900}),
    )
    changes, results = decide(snapshot({"base.txt": "b" * 500}), batch, LIMITS, SeenVersions())
    assert [r.ok for r in results] == [True, False, True, True]
    assert "would make the app 2300 bytes; apps are limited to 2000 bytes" in results[1].message
    assert changes == {"three.txt": "z" * 900}  # one.txt came and went within the message


def test_rename_refusals() -> None:
    batch = ops(
        ("rename_file", {"from": "a.css", "to": "b.css"}),
        ("rename_file", {"from": "nope.css", "to": "c.css"}),
        ("rename_file", {"from": "a.css", "to": "a.css"}),
        ("rename_file", {"from": "a.css", "to": "b.css/inner.css"}),
    )
    changes, results = decide(snapshot({"a.css": "a", "b.css": "b"}), batch, LIMITS, SeenVersions())
    assert changes == {}
    assert [r.ok for r in results] == [False] * 4
    assert results[0].message.startswith("b.css already exists, so a.css was not renamed.")
    assert results[1].message.startswith("nope.css does not exist, so nothing was changed.")
    assert results[2].message == "a.css already has that name; nothing was changed."
    assert results[3].message.startswith("'b.css/inner.css' would be inside 'b.css'")


def test_an_edit_to_a_file_changed_since_it_was_read_says_so() -> None:
    seen = SeenVersions()
    seen.saw("a.css", "ver_read")
    batch = ops(("apply_edit", {"filepath": "a.css", "old_code": "color: red", "new_code": "x"}))
    _changes, [result] = decide(
        snapshot({"a.css": "p { color: green }"}, {"a.css": "ver_undo"}), batch, LIMITS, seen
    )
    assert not result.ok
    assert result.message.startswith(
        "a.css has changed since you last read it (you saw version ver_read; it is now "
        "version ver_undo"
    )
    # Unchanged since the read: a plain refusal.
    _changes, [plain] = decide(
        snapshot({"a.css": "p { color: green }"}, {"a.css": "ver_read"}), batch, LIMITS, seen
    )
    assert plain.message.startswith("old_code was not found in a.css")


def test_what_the_model_saw_is_recovered_from_the_conversation() -> None:
    def call(id_: str, name: str, **raw: Any) -> Message:
        return Message("assistant", (ToolCallPart(id_, name, raw),))

    def answer(id_: str, content: str, error: bool = False) -> Message:
        return Message("user", (ToolResultPart(id_, content, error),))

    conversation = [
        call("1", "get_current_code", filepath="./a.css"),
        answer("1", f"a.css {version_mark('ver_a')}: lines 1-1 of 1\n1→x"),
        call("2", "get_current_code", filepath="b.css"),
        answer("2", f"b.css {version_mark('ver_b')}: lines 1-1 of 1\n1→x"),
        call("3", "rename_file", **{"from": "b.css", "to": "c.css"}),
        answer("3", f"Renamed b.css to c.css {version_mark('ver_c')}."),
        call("4", "apply_edit", filepath="a.css", old_code="x", new_code="y"),
        answer("4", "old_code was not found in a.css", error=True),
        call("5", "get_current_code", filepath="d.css"),
        answer("5", f"d.css {version_mark('ver_d')}: ..."),
        call("6", "get_current_code", filepath="d.css"),
        answer("6", "[elided: read it again if needed]"),
    ]
    seen = SeenVersions.from_conversation(conversation)
    assert seen.last_seen("a.css") == "ver_a"  # the refused edit changed nothing
    assert seen.last_seen("b.css") is None and seen.last_seen("c.css") == "ver_c"
    assert seen.last_seen("d.css") is None  # its latest answer no longer shows it


def test_a_hostile_batch_answers_each_call_with_its_own_reason() -> None:
    """Issue 10, finding 4: 26 calls, one reason each, none speaking for another."""
    hostile = [
        ("../up.txt", "path_traversal"),
        ("/etc/passwd", "path_absolute"),
        ("a\\b.txt", "path_backslash"),
        ("bell\x07.txt", "path_control_char"),
        (".git/config", "path_reserved"),
        (".appwright/token", "path_reserved"),
        ("x" * 300, "path_too_long"),
        ("", "path_empty"),
        ("folder/", "path_is_folder"),
        (" padded.txt", "path_whitespace"),
        ("a.css/inner.css", "path_conflict"),
        ("css", "path_conflict"),
    ]
    batch: list[tuple[str, dict[str, Any]]] = [
        ("apply_edit", {"filepath": path, "old_code": "", "new_code": "x"}) for path, _ in hostile
    ]
    batch += [
        ("apply_edit", {"filepath": "a.css", "old_code": "nowhere", "new_code": "x"}),
        ("apply_edit", {"filepath": "a.css", "old_code": "p", "new_code": "x"}),
        ("apply_edit", {"filepath": "huge.txt", "old_code": "", "new_code": "h" * 1001}),
        ("delete_file", {"filepath": "gone.css"}),
        ("rename_file", {"from": "a.css", "to": "css/site.css"}),
        ("rename_file", {"from": "missing.css", "to": "new.css"}),
    ]
    good = [
        ("apply_edit", {"filepath": f"ok{i}.txt", "old_code": "", "new_code": "ok"})
        for i in range(8)
    ]
    batch += good
    assert len(batch) == 26
    base = snapshot({"a.css": "p { } p { }", "css/site.css": "body {}"})
    changes, results = decide(base, ops(*batch), LIMITS, SeenVersions())
    assert sorted(changes) == [f"ok{i}.txt" for i in range(8)]
    assert [r.ok for r in results] == [False] * 18 + [True] * 8
    reasons = [r.message for r in results[:18]]
    assert len(set(reasons)) == 18  # each its own
    for (path, code), reason in zip(hostile, reasons, strict=False):
        assert repr(path) in reason or path in reason, (code, reason)
    assert "old_code was not found in a.css" in reasons[12]
    assert "old_code matches 2 places in a.css" in reasons[13]
    assert reasons[14].startswith("huge.txt is 1001 bytes")
    assert reasons[15].startswith("gone.css does not exist")
    assert reasons[16].startswith("css/site.css already exists")
    assert reasons[17].startswith("missing.css does not exist")
    assert all("18 other calls in this message were refused" in r.note for r in results[18:])
