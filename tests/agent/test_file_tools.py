"""The model's file tools through a whole run (HTTP API, loop, tool box, store) with the
in-process scripted model: the matching cascade, refusals, batches, search, delete, rename,
and reading big files in windows."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from appwright.models.types import ModelRequest, StreamEvent
from appwright.testing.scripted_model import ScriptedModel, Turn, text, tool

BAKERY = {
    p.name: p.read_text() for p in (Path(__file__).parents[1] / "fixtures" / "bakery").iterdir()
}


def results_of(model: ScriptedModel, turn: int) -> list[tuple[bool, str]]:
    """(is_error, content) of each tool result the model received after `turn` (1-based)."""
    return [(p.is_error, p.content) for p in model.requests[turn].messages[-1].parts]


async def finished_tools(h: Any, session: str) -> list[dict[str, Any]]:
    return [e for e in await h.events(session) if e["type"] == "tool.finished"]


async def versions(h: Any, app_id: str) -> list[dict[str, Any]]:
    return (await h.client.get(f"/api/apps/{app_id}/versions", headers=h.headers)).json()


async def run_once(
    harness: Any, model: ScriptedModel, prompt: str, files: dict[str, str] = BAKERY, **settings: Any
) -> tuple[Any, str, str, dict[str, Any]]:
    """A harness, an app of `files`, a session, and one run of `prompt` to its end."""
    h = await harness(model, **settings)
    app_id = await h.app(files)
    session = await h.session(app_id)
    return h, app_id, session, await h.run(session, prompt)


async def test_each_level_of_the_cascade_applies_and_the_answer_names_it(harness) -> None:
    files = {**BAKERY, "windows.css": BAKERY["style.css"].replace("\n", "\r\n")}
    edits = [
        # exact
        tool(
            "apply_edit",
            filepath="index.html",
            old_code="<h1>Fresh bread, every morning</h1>",
            new_code="<h1>Fresh bread, every single morning</h1>",
        ),
        # blanks at line ends in old_code
        tool(
            "apply_edit",
            filepath="style.css",
            old_code=".logo {  \n  font-size: 1.5rem;\t\n",
            new_code=".logo {\n  font-size: 1.75rem;\n",
        ),
        # LF old_code in a CRLF file: new_code is written with CRLF
        tool(
            "apply_edit",
            filepath="windows.css",
            old_code=".price {\n  font-weight: 700;\n",
            new_code=".price {\n  font-weight: 800;\n  font-style: italic;\n",
        ),
        # indentation dropped (the file uses tabs): new_code takes the file's tabs
        tool(
            "apply_edit",
            filepath="app.js",
            old_code="if (yearSpan) {\n    yearSpan.textContent = String(new Date().getFullYear());\n}",
            new_code="if (yearSpan) {\n    yearSpan.textContent = String(new Date().getFullYear());\n"
            "    yearSpan.title = 'this year';\n}",
        ),
        # straight quotes for the file's curly ones: the file keeps its own
        tool(
            "apply_edit",
            filepath="about.html",
            old_code="<h1>Our story</h1>\n<p>Rosa opened the shop in "
            "1987 with one oven and her grandmother's recipe book.</p>",
            new_code="<h1>Our story</h1>\n<p>Rosa opened the shop in 1986 with one oven and her "
            "grandmother's recipe book.</p>",
        ),
        # line numbers copied from a read
        tool(
            "apply_edit",
            filepath="index.html",
            old_code="55→            <h2>Don’t miss a bake</h2>",
            new_code="55→            <h2>Don’t miss a loaf</h2>",
        ),
    ]
    model = ScriptedModel([Turn(edits), Turn([text("Done.")])])
    h, app_id, session, end = await run_once(harness, model, "polish the site", files)
    assert end["status"] == "completed"

    assert "<h1>Fresh bread, every single morning</h1>" in await h.file(app_id, "index.html")
    assert ".logo {\n  font-size: 1.75rem;\n" in await h.file(app_id, "style.css")
    windows = await h.file(app_id, "windows.css")
    assert ".price {\r\n  font-weight: 800;\r\n  font-style: italic;\r\n" in windows
    assert "\n" not in windows.replace("\r\n", "")
    assert (
        "\tif (yearSpan) {\n\t\tyearSpan.textContent = String(new Date().getFullYear());\n"
        "\t\tyearSpan.title = 'this year';\n\t}" in await h.file(app_id, "app.js")
    )
    assert "in 1986 with one oven and her grandmother’s recipe book." in await h.file(
        app_id, "about.html"
    )
    assert "            <h2>Don’t miss a loaf</h2>\n" in await h.file(app_id, "index.html")

    answers = results_of(model, 1)
    assert all(not is_error for is_error, _ in answers)
    expected = [
        "matched exactly",
        "matched ignoring whitespace at line ends",
        "written with the file's CRLF line endings",
        "matched ignoring indentation; new_code was re-indented",
        "matched reading typographic quotes and look-alike characters as plain ones",
        "once the line numbers copied into old_code were taken out",
    ]
    for (_, answer), phrase in zip(answers, expected, strict=True):
        assert phrase in answer, (phrase, answer)
    assert answers[0][1].startswith("Updated index.html (version ver_")
    assert "line 22 (now line 22)" in answers[0][1]
    assert [v["source"] for v in await versions(h, app_id)] == ["ai", "initial"]


async def test_refusals_say_where_and_change_nothing(harness) -> None:
    model = ScriptedModel(
        [
            Turn(
                [
                    tool(
                        "apply_edit",
                        filepath="index.html",
                        old_code="<h2>Sourdough</h2>\n<p>Forty hours of patience.</p>",
                        new_code="x",
                    ),
                    tool(
                        "apply_edit",
                        filepath="index.html",
                        old_code='<article class="card">',
                        new_code="<article>",
                    ),
                    tool(
                        "apply_edit",
                        filepath="index.html",
                        old_code='<section class="hours" id="hours">\n<h2>Opening hours</h2>\n'
                        "        <table>",
                        new_code="x",
                    ),
                    tool(
                        "apply_edit",
                        filepath="index.html",
                        old_code="const total = cart.reduce((sum, item) => sum + item.price, 0);",
                        new_code="x",
                    ),
                ]
            ),
            Turn([text("I will read the file again.")]),
        ]
    )
    h, app_id, session, _end = await run_once(harness, model, "edit")
    assert await h.file(app_id, "index.html") == BAKERY["index.html"]
    (e1, no_match), (e2, ambiguous), (e3, uneven), (e4, unlike) = results_of(model, 1)
    assert e1 and e2 and e3 and e4

    assert "old_code was not found in index.html, so nothing was changed" in no_match
    assert "The closest place is lines 29-30" in no_match
    assert re.search(r"\(\d+% similar\)", no_match)
    assert "30→                <p>Forty-eight hours of patience, a crackling crust.</p>" in no_match
    assert "The first difference is line 30" in no_match

    assert "old_code matches 3 places in index.html: line 28, line 33, line 38" in ambiguous
    assert "line 29, 1 line after it, is `<h2>Sourdough</h2>`" in ambiguous
    assert "line 34, 1 line after it, is `<h2>Cinnamon buns</h2>`" in ambiguous

    assert "Ignoring indentation, old_code matches lines 45-47 of index.html" in uneven
    assert "46→            <h2>Opening hours</h2>" in uneven

    assert "old_code was not found in index.html, and nothing in it is much like it" in unlike
    assert re.search(r"The most similar place is lines? \d+", unlike)
    assert "search_code finds text in every file" in unlike

    cards = await finished_tools(h, session)
    assert [c["status"] for c in cards] == ["error"] * 4
    assert cards[0]["summary"] == "old_code not found in index.html (closest: lines 29-30)"
    assert cards[1]["summary"].startswith("old_code matches 3 places in index.html")


class ChangesBetweenTurns(ScriptedModel):
    """A scripted model that lets the test change the app before a given turn is streamed,
    as the vendor would in another tab while the model is thinking."""

    def __init__(self, turns: list[Turn], before_turn: int, change: Callable[[], Awaitable[Any]]):
        super().__init__(turns)
        self.before_turn = before_turn
        self.change = change

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamEvent]:
        if sum(1 for m in request.messages if m.role == "assistant") == self.before_turn - 1:
            await self.change()
        async for event in super().stream(request):
            yield event


async def test_a_file_changed_since_it_was_read_is_said_with_its_current_lines(harness) -> None:
    h: Any = None
    app_id = ""

    async def vendor_types_in_the_editor() -> None:
        content = BAKERY["index.html"].replace("Fresh bread, every morning", "Bread at dawn")
        r = await h.client.put(
            f"/api/apps/{app_id}/files/index.html", json={"content": content}, headers=h.headers
        )
        assert r.status_code == 200, r.text

    model = ChangesBetweenTurns(
        [
            Turn([tool("get_current_code", filepath="index.html")]),
            Turn(
                [
                    tool(
                        "apply_edit",
                        filepath="index.html",
                        old_code="<h1>Fresh bread, every morning</h1>",
                        new_code="<h1>Hi</h1>",
                    )
                ]
            ),
            Turn([text("The owner changed it; I will read it again.")]),
        ],
        before_turn=2,
        change=vendor_types_in_the_editor,
    )
    h = await harness(model)
    app_id = await h.app(BAKERY)
    await h.run(await h.session(app_id), "change the heading")
    [(is_error, answer)] = results_of(model, 2)
    assert is_error
    assert answer.startswith("index.html has changed since you last read it (you saw version ver_")
    assert "changed by an edit in the editor, an undo, or another request" in answer
    assert "22→            <h1>Bread at dawn</h1>" in answer
    assert "Bread at dawn" in await h.file(app_id, "index.html")


async def test_an_undo_between_requests_is_noticed_by_the_next_one(harness) -> None:
    heading = dict(filepath="index.html", old_code="<h1>Fresh bread, every morning</h1>")
    model = ScriptedModel(
        [
            Turn([tool("apply_edit", **heading, new_code="<h1>Warm bread</h1>")]),
            Turn([text("Changed.")]),
            # The next request still believes its own edit is there.
            Turn(
                [
                    tool(
                        "apply_edit",
                        filepath="index.html",
                        old_code="<h1>Warm bread</h1>",
                        new_code="<h1>Warm bread daily</h1>",
                    )
                ]
            ),
            Turn([text("It was undone.")]),
        ]
    )
    h, app_id, session, _end = await run_once(harness, model, "change the heading")
    undo = await h.client.post(f"/api/apps/{app_id}/undo", headers=h.headers)
    assert undo.status_code == 200, undo.text
    await h.run(session, "and add 'daily'")
    [(is_error, answer)] = results_of(model, 3)
    assert is_error and answer.startswith("index.html has changed since you last read it")
    assert "22→            <h1>Fresh bread, every morning</h1>" in answer


async def test_several_edits_in_one_call_are_all_or_nothing(harness) -> None:
    good = {"old_code": "€4.50", "new_code": "€4.90"}
    model = ScriptedModel(
        [
            Turn(
                [
                    tool(
                        "apply_edit",
                        filepath="index.html",
                        edits=[good, {"old_code": "€9.99", "new_code": "€1"}],
                    )
                ]
            ),
            Turn(
                [
                    tool(
                        "apply_edit",
                        filepath="index.html",
                        edits=[good, {"old_code": "€2.80", "new_code": "€3.10"}],
                    )
                ]
            ),
            Turn([text("Prices updated.")]),
        ]
    )
    h, app_id, session, _end = await run_once(harness, model, "raise prices")
    [(is_error, refused)] = results_of(model, 1)
    assert is_error
    assert refused.startswith("Edit 2 of 2 was refused, so none of the 2 edits of this call")
    [(is_error, applied)] = results_of(model, 2)
    assert (
        not is_error
        and ": 2 edits: 1) line 31 (now line 31); matched exactly; 2) line 36" in applied
    )
    page = await h.file(app_id, "index.html")
    assert "€4.90" in page and "€3.10" in page and "€4.50" not in page
    assert [v["source"] for v in await versions(h, app_id)] == ["ai", "initial"]


async def test_each_call_of_a_batch_reports_its_own_result(harness) -> None:
    """Issue 10, finding 4: a refused call used to void its whole batch with its reason."""
    model = ScriptedModel(
        [
            Turn(
                [
                    tool(
                        "apply_edit",
                        filepath="index.html",
                        old_code="Rosa’s Bakery</a>",
                        new_code="Rosa’s Bakery &amp; Café</a>",
                    ),
                    tool("apply_edit", filepath="index.html/extra.js", old_code="", new_code="1;"),
                    tool(
                        "apply_edit",
                        filepath="style.css",
                        old_code="--accent: #d9822b;",
                        new_code="--accent: #c0392b;",
                    ),
                    tool("apply_edit", filepath="../outside.txt", old_code="", new_code="x"),
                    tool("apply_edit", filepath="big.txt", old_code="", new_code="x" * 6000),
                    tool("delete_file", filepath="missing.css"),
                ]
            ),
            Turn([text("Two of them could not be done.")]),
        ]
    )
    h, app_id, session, _end = await run_once(harness, model, "several things", max_file_bytes=5000)
    answers = results_of(model, 1)
    assert [is_error for is_error, _ in answers] == [False, True, False, True, True, True]
    assert "'index.html/extra.js' would be inside 'index.html', which is a file" in answers[1][1]
    assert "'../outside.txt' was refused" in answers[3][1] and "'..'" in answers[3][1]
    assert "big.txt is 6000 bytes; files are limited to 5000 bytes" in answers[4][1]
    assert "missing.css does not exist" in answers[5][1]
    for _, answer in (answers[0], answers[2]):
        assert "Note: 4 other calls in this message were refused" in answer
    assert "Rosa’s Bakery &amp; Café</a>" in await h.file(app_id, "index.html")
    assert "--accent: #c0392b;" in await h.file(app_id, "style.css")
    [ai, _initial] = await versions(h, app_id)
    assert sorted(ai["paths"]) == ["index.html", "style.css"]
    cards = await finished_tools(h, session)
    assert [c["status"] for c in cards] == ["ok", "error", "ok", "error", "error", "error"]


async def test_delete_rename_and_edit_of_one_message_are_one_version(harness) -> None:
    model = ScriptedModel(
        [
            Turn(
                [
                    tool("rename_file", **{"from": "style.css", "to": "css/site.css"}),
                    tool(
                        "apply_edit",
                        filepath="index.html",
                        old_code='<link rel="stylesheet" href="style.css">',
                        new_code='<link rel="stylesheet" href="css/site.css">',
                    ),
                    tool("delete_file", filepath="about.html"),
                    tool("rename_file", **{"from": "app.js", "to": "index.html"}),
                    tool("rename_file", **{"from": "nope.js", "to": "x.js"}),
                ]
            ),
            Turn([text("Moved the styles.")]),
        ]
    )
    h, app_id, session, end = await run_once(harness, model, "tidy up")
    assert end["status"] == "completed"
    listing = (await h.client.get(f"/api/apps/{app_id}/files", headers=h.headers)).json()
    assert sorted(f["path"] for f in listing) == ["app.js", "css/site.css", "index.html"]
    assert await h.file(app_id, "css/site.css") == BAKERY["style.css"]
    answers = results_of(model, 1)
    assert answers[0] == (
        False,
        answers[0][1],
    ) and answers[0][1].startswith("Renamed style.css to css/site.css (version ver_")
    assert answers[2][1].startswith("Deleted about.html (version ver_")
    assert answers[3][0] and "index.html already exists, so app.js was not renamed" in answers[3][1]
    assert answers[4][0] and "nope.js does not exist" in answers[4][1]
    [ai, _initial] = await versions(h, app_id)
    assert sorted(ai["paths"]) == ["about.html", "css/site.css", "index.html", "style.css"]
    updates = {
        e["path"]: e["deleted"] for e in await h.events(session) if e["type"] == "file.updated"
    }
    assert updates == {
        "about.html": True,
        "css/site.css": False,
        "index.html": False,
        "style.css": True,
    }
    # The vendor's undo takes the whole message back.
    assert (await h.client.post(f"/api/apps/{app_id}/undo", headers=h.headers)).status_code == 200
    assert await h.file(app_id, "style.css") == BAKERY["style.css"]
    assert await h.file(app_id, "about.html") == BAKERY["about.html"]


async def test_search_code_answers_path_line_text_capped_and_refuses_bad_patterns(harness) -> None:
    files = {**BAKERY, "many.txt": "needle\n" * 150}
    model = ScriptedModel(
        [
            Turn(
                [
                    tool("search_code", pattern=r"var\(--accent\)"),
                    tool("search_code", pattern="Rosa’s Bakery", path_glob="*.html"),
                    tool("search_code", pattern="needle"),
                    tool("search_code", pattern="(unclosed"),
                    tool("search_code", pattern="(a|aa)+$", path_glob="long.txt"),
                    tool("search_code", pattern="nowhere to be found"),
                ]
            ),
            Turn([text("Found them.")]),
        ]
    )
    # The pattern's own time limit is under test, not the tool's deadline: give the tool room
    # so a busy machine cannot make the deadline fire first.
    h, app_id, session, _end = await run_once(
        harness,
        model,
        "where is the accent colour used?",
        {**files, "long.txt": "a" * 3000 + "b"},
        timeout_file_op=30.0,
    )
    accent, rosa, capped, bad, slow, none = results_of(model, 1)
    assert accent == (
        False,
        "style.css:47:   border-bottom: 2px solid var(--accent);\n"
        "style.css:64:   background: var(--accent);\n"
        "style.css:89:   color: var(--accent);\n"
        "(3 matching lines in 1 of 6 files.)",
    )
    assert rosa[1].splitlines()[:2] == [
        "about.html:5:     <title>About — Rosa’s Bakery</title>",
        """about.html:10:         <a class="logo" href="index.html">Rosa’s Bakery</a>""",
    ]
    assert "of 2 files matching '*.html'" in rosa[1]
    assert len(capped[1].splitlines()) == 101
    assert capped[1].endswith("more lines match. Narrow the pattern or path_glob to see the rest.)")
    assert bad[0] and "is not a valid regular expression" in bad[1]
    assert slow[0] and "took longer than" in slow[1]
    assert none == (False, "No line matches /nowhere to be found/ in 6 files.")


async def test_a_big_file_is_read_a_window_at_a_time(harness) -> None:
    big = "".join(f"line {n}\n" for n in range(1, 2501))
    model = ScriptedModel(
        [
            Turn([tool("get_current_code", filepath="big.txt")]),
            Turn([tool("get_current_code", filepath="big.txt", offset=1001, limit=5)]),
            Turn([tool("get_current_code", filepath="big.txt", offset=9999)]),
            Turn([text("Read it.")]),
        ]
    )
    h, app_id, session, _end = await run_once(
        harness, model, "read", {"big.txt": big}, read_max_lines=1000, read_max_bytes=100_000
    )
    [(_, first)] = results_of(model, 1)
    lines = first.splitlines()
    assert re.fullmatch(
        r"big\.txt \(version ver_\w+\): lines 1-1000 of 2500; more follow", lines[0]
    )
    assert lines[1] == "   1→line 1" and lines[1000] == "1000→line 1000"
    assert lines[-1] == (
        "[Lines 1001-2500 are not shown (a window shows at most 1,000 lines): call "
        "get_current_code with offset=1001 to read on.]"
    )
    [(_, second)] = results_of(model, 2)
    assert second.splitlines()[1:] == [f"{n}→line {n}" for n in range(1001, 1006)] + [
        "[Lines 1006-2500 are not shown: call get_current_code with offset=1006 to read on.]"
    ]
    [(is_error, past)] = results_of(model, 3)
    assert is_error and past == "big.txt has 2500 lines; offset 9999 is past its end."
    cards = await finished_tools(h, session)
    assert cards[0]["summary"] == "Read big.txt, lines 1-1000 of 2500"


async def test_the_read_window_is_bounded_in_bytes_too(harness) -> None:
    wide = "".join(f"{n:04d} " + "x" * 995 + "\n" for n in range(1, 301))
    model = ScriptedModel(
        [Turn([tool("get_current_code", filepath="wide.txt")]), Turn([text("ok")])]
    )
    h, app_id, session, _end = await run_once(
        harness, model, "read", {"wide.txt": wide}, read_max_bytes=50_000
    )
    [(_, answer)] = results_of(model, 1)
    assert len(answer.encode()) < 52_000
    assert "(a window shows at most 50,000 bytes)" in answer
    assert answer.splitlines()[0].endswith("lines 1-49 of 300; more follow")
