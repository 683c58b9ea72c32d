"""What the model's work uses, shown as it happens: the context meter (how much of the
model's window the conversation takes, warning near the limit), the notice when older parts
of the conversation were condensed to fit, each run's cost with its tokens, the session's
total, the conversation list's cost; and a log entry of a type this workspace does not know
is stepped over, not taken for a gap."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest

from .conftest import MODEL, shot
from .workspace import Workspace, text, tool, turn

pytestmark = pytest.mark.browser

PAGE = "<!doctype html>\n<html>\n<body>\n<h1>Catalogue</h1>\n</body>\n</html>\n"
# Three pages of about 12k tokens each: reading all three does not fit the 32k window the
# service gives a model it does not know (less the 8k kept for the answer).
PAGES = {
    f"page{i}.html": "".join(f'<li class="p{i}">item {n} of page {i}</li>\n' for n in range(1150))
    for i in range(3)
}
SUMMARY_ASIDE = {
    "when_system_contains": "You condense conversations",
    "content": [text("The owner asked for the pages to be read; they were.")],
}


def tokens(n: int) -> str:
    """As the workspace writes a token count (12.4k)."""
    if n < 1000:
        return str(n)
    short = f"{n / 1000:.1f}"
    return (short[:-2] if short.endswith(".0") else short) + "k"


def of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind]


def test_a_condensed_conversation_is_noted_in_the_run_and_the_meter_follows(page, server, sim, api):
    app = api.create_app({"index.html": PAGE, **PAGES})
    ws = Workspace(page, server, app).open()
    sim.script(
        MODEL,
        [
            *(turn(tool("get_current_code", filepath=path)) for path in PAGES),
            turn(text("All three pages read.")),
        ],
        turns_by="order",
        asides=[SUMMARY_ASIDE],
    )
    ws.send("Read every page of the catalogue")
    ws.wait_runs(1)

    session = api.sessions(app)[0]["id"]
    events = api.session_events(session)
    compactions = of_type(events, "context.compacted")
    assert compactions, "three pages did not fit the window: older reads were condensed"
    notices = ws.runs().first.get_by_test_id("compacted-notice")
    assert notices.count() == len(compactions)
    for notice, event in zip(notices.all_inner_texts(), compactions, strict=True):
        assert notice == (
            "Older parts of the conversation were condensed to fit: "
            f"{tokens(event['tokens_before'])} → {tokens(event['tokens_after'])} tokens"
        )
        assert event["tokens_after"] < event["tokens_before"]

    # The meter shows the latest request the model counted, of its window.
    last = [e for e in of_type(events, "model.usage") if e["purpose"] == "turn"][-1]
    meter = page.get_by_test_id("context-meter")
    page.wait_for_function(
        "t => document.querySelector('[data-testid=context-meter]')?.dataset.tokens === t",
        arg=str(last["context_tokens"]),
    )
    assert meter.get_attribute("data-window") == str(last["context_window"]) == "32000"
    assert f"{tokens(last['context_tokens'])} / 32k" in meter.inner_text()
    # Rounded half up, as the page's Math.round does (Python's round() takes halves to even).
    percent = math.floor(100 * last["context_tokens"] / last["context_window"] + 0.5)
    assert f"{tokens(last['context_tokens'])} of 32k tokens ({percent}%)" in meter.get_attribute(
        "title"
    )
    shot(page, "meter-compacted")


def test_each_run_shows_its_cost_and_the_session_its_total(page, server, sim, api):
    app = api.create_app({"index.html": PAGE, "page0.html": PAGES["page0.html"]})
    ws = Workspace(page, server, app).open()
    session_cost = page.get_by_test_id("session-cost")
    assert session_cost.count() == 0, "no model call yet, no cost"

    # One script for both runs: the sim's prompt cache lasts as long as the script.
    sim.script(
        MODEL,
        [
            turn(text("Reading."), tool("get_current_code", filepath="page0.html")),
            turn(text("Read.")),
            turn(text("Again.")),
        ],
    )
    ws.send("Read page0")
    ws.wait_runs(1)
    session = api.sessions(app)[0]["id"]
    first = of_type(api.session_events(session), "run.finished")[0]["usage"]
    run_cost = ws.runs().first.get_by_test_id("run-cost")
    assert float(run_cost.get_attribute("data-cost")) == pytest.approx(first["cost_usd"])
    assert re.fullmatch(r"Cost \$0\.0\d+", run_cost.locator("summary").inner_text())
    page.wait_for_function(
        "c => Math.abs(Number(document.querySelector('[data-testid=session-cost]')"
        "?.dataset.cost) - c) < 1e-9",
        arg=first["cost_usd"],
    )

    # The second run reads the conversation so far from the prompt cache.
    ws.send("Say it again")
    ws.wait_runs(2)
    second = of_type(api.session_events(session), "run.finished")[1]["usage"]
    assert second["cache_read_tokens"] > 0
    total = first["cost_usd"] + second["cost_usd"]
    page.wait_for_function(
        "c => Math.abs(Number(document.querySelector('[data-testid=session-cost]')"
        "?.dataset.cost) - c) < 1e-6",
        arg=total,
    )
    assert session_cost.inner_text().startswith("Session cost $")

    latest = ws.runs().nth(1).get_by_test_id("run-cost")
    latest.locator("summary").click()
    assert latest.get_by_test_id("run-tokens").inner_text() == (
        f"{second['input_tokens']:,} input · {second['output_tokens']:,} output · "
        f"{second['cache_read_tokens']:,} cache read · {second['cache_write_tokens']:,} "
        "cache write tokens"
    )
    shot(page, "meter-cost")

    # The conversation list shows the server's total for the session.
    listed = api.sessions(app)[0]
    assert listed["usage"]["cost_usd"] == pytest.approx(total)
    page.get_by_test_id("conversations-toggle").click()
    cost = page.get_by_test_id("conversation-cost")
    cost.wait_for()
    assert cost.inner_text().startswith(" · cost $")
    assert f"{listed['usage']['cache_read_tokens']:,} cache read" in cost.get_attribute("title")


def _crafted(run_id: str) -> list[dict[str, Any]]:
    """A run whose log holds an event of a type this workspace does not know, between a
    turn that filled most of the window and the usage that filled it further."""
    bodies: list[dict[str, Any]] = [
        {"type": "run.started", "text": "Summarise the catalogue", "client_msg_id": None},
        {"type": "turn.started", "turn": 1, "context_tokens": 23_000, "context_window": 32_000},
        {"type": "text.delta", "text": "Reading the catalogue."},
        {"type": "brand.new", "detail": "an event a newer server sends"},
        {
            "type": "model.usage",
            "turn": 1,
            "purpose": "turn",
            "input_tokens": 29_500,
            "output_tokens": 40,
            "cache_read_tokens": 0,
            "cache_write_tokens": 0,
            "cost_usd": 0.09,
            "context_tokens": 29_500,
            "context_window": 32_000,
        },
        {"type": "text.delta", "text": " Still following."},
    ]
    ts = "2025-01-01T00:00:00.000Z"
    return [{**b, "seq": i + 1, "ts": ts, "run_id": run_id} for i, b in enumerate(bodies)]


def test_the_meter_warns_near_the_limit_and_an_unknown_event_is_stepped_over(page, server, api):
    app = api.create_app({"index.html": PAGE})
    log = _crafted("run-crafted")
    sockets: list[Any] = []

    def session_socket(route):
        """The session's socket, played by the test: each resume gets the first three
        events after it; the test sends the rest."""
        sockets.append(route)

        def from_page(message):
            frame = json.loads(message)
            if frame.get("type") == "resume":
                for event in log[frame["after"] : 3]:
                    route.send(json.dumps(event))

        route.on_message(from_page)

    page.route_web_socket(re.compile(r".*/api/sessions/[^/]+/ws.*"), session_socket)
    Workspace(page, server, app).open()
    meter = page.get_by_test_id("context-meter")
    meter.and_(page.locator("[data-level=near]")).wait_for()
    assert "filling up" in meter.inner_text()

    for event in log[3:]:
        sockets[0].send(json.dumps(event))
    run = page.locator("[data-testid=run][data-run-id=run-crafted]")
    run.locator(".markdown", has_text="Still following.").wait_for()
    assert len(sockets) == 1, "the unknown event was not taken for a gap: no reconnect"
    assert meter.get_attribute("data-level") == "full"
    assert meter.get_attribute("data-tokens") == "29500"
    assert "nearly full" in meter.inner_text()
    assert page.get_by_test_id("session-cost").inner_text() == "Session cost $0.09"
    assert page.get_by_test_id("conn-chat").get_attribute("title") == "last seq 6"
    shot(page, "meter-near-limit")
