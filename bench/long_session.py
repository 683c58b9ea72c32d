"""A long session at a small context window, and what prompt caching saves on it.

One session of 40 requests over an app of 30 files of 5 to 50 KB; the scripted model (the
sim, through the real Anthropic SDK) has a 32,000-token window and refuses longer prompts
as the real API does (`prompt is too long`). Each request is three turns: read one file
(`get_current_code`), edit it (`apply_edit`, a marker line after a line unique to this
request), say it is done. The session is run twice, prompt caching on and off
(`APPWRIGHT_PROMPT_CACHING`), each against a fresh model name, so nothing is cached at start.

Figures:
- requests failed (goal 0), compactions, requests the provider refused as too long, and the
  peak request length (the provider's count) against the window;
- each request's edit landed exactly once (its marker is in its file once, and the app has
  one `ai` version per request);
- with caching on and off: input tokens billed at the full price, cache reads and writes,
  the estimated cost (Claude Sonnet 4.5 prices) and its ratio (goal: >= 5x cheaper with
  caching), and the share of prompt tokens read from the cache on the second and later turns
  of each request (goal: >= 80%).

`--window 200000` runs the same session at Claude's real window, where nothing needs
condensing and the conversation grows for the whole session.

    .venv/bin/python bench/long_session.py [--requests 40] [--window 32000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import clean_env, make_settings, print_table, setup_logging, wait_for

from appwright.log_names import session_log
from appwright.models.catalog import KNOWN, Price
from appwright.runtime import Runtime
from appwright.sim import SimServer
from appwright.testing.fake_search import FakeSearch

FILES = 30
SONNET = KNOWN["claude-sonnet-4-5"].price
assert SONNET is not None


def make_files() -> dict[str, str]:
    """30 files of 5 to 50 KB (HTML, CSS, JS in turn); every line is unique."""
    files: dict[str, str] = {}
    for i in range(FILES):
        size = 5_000 + i * 45_000 // (FILES - 1)
        kind = ("html", "css", "js")[i % 3]
        lines: list[str] = []
        n = 0
        while sum(len(line) + 1 for line in lines) < size:
            lines.append(_line(kind, i, n))
            n += 1
        files[f"page{i:02d}.{kind}"] = "\n".join(lines) + "\n"
    return files


def _line(kind: str, i: int, n: int) -> str:
    if kind == "html":
        return f'  <li class="item-{i}-{n}">Product {n} of shelf {i}: hand-made, ships in {n % 9 + 1} days</li>'
    if kind == "css":
        return (
            f".shelf-{i} .item-{n} {{ margin: {n % 7}px; color: #{(i * 97 + n * 31) % 4096:03x}; }}"
        )
    return f"export const item_{i}_{n} = {{ id: {n}, shelf: {i}, price: {(n * 13) % 200 + 0.99} }};"


def script(
    files: dict[str, str], requests: int
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    names = sorted(files)
    turns: list[dict[str, Any]] = []
    markers: list[tuple[str, str]] = []
    for r in range(requests):
        path = names[r % len(names)]
        anchor = files[path].splitlines()[10 + r]
        marker = f"/* request {r} */" if not path.endswith(".html") else f"<!-- request {r} -->"
        markers.append((path, marker))
        turns.append(
            {"content": [_text(f"Let me read {path}."), _tool("get_current_code", filepath=path)]}
        )
        turns.append(
            {
                "content": [
                    _tool(
                        "apply_edit", filepath=path, old_code=anchor, new_code=f"{anchor}\n{marker}"
                    )
                ]
            }
        )
        turns.append({"content": [_text(f"Done: {path} has the change for request {r}.")]})
    return turns, markers


def _text(t: str) -> dict[str, Any]:
    return {"type": "text", "text": t}


def _tool(name: str, **tool_input: Any) -> dict[str, Any]:
    return {"type": "tool_use", "name": name, "input": tool_input}


@dataclass
class Outcome:
    failed: int
    errors: list[str]
    compactions: int
    summaries: int
    refused_too_long: int
    peak_prompt: int
    edits_exact: int
    ai_versions: int
    calls: list[dict[str, Any]]  # model.usage events


async def run_session(
    sim: SimServer, window: int, requests: int, caching: bool, tmp: Path
) -> Outcome:
    files = make_files()
    turns, markers = script(files, requests)
    model = f"bench-long-{uuid.uuid4().hex[:8]}"
    sim.script(
        model,
        turns,
        context_window=window,
        turns_by="order",
        asides=[
            {
                "when_system_contains": "You condense conversations",
                "content": [
                    _text("The owner asked for marker lines in several files; each was added.")
                ],
            }
        ],
    )
    settings = make_settings(
        tmp,
        anthropic_api_key="sk-bench",
        anthropic_base_url=sim.url,
        model=model,
        context_tokens=window,
        prompt_caching=caching,
        model_prices={
            "bench-long-": {
                "input": SONNET.input,
                "output": SONNET.output,
                "cache_read": SONNET.cache_read,
                "cache_write": SONNET.cache_write,
            }
        },
        timeout_run=120,
    )
    rt = Runtime(settings, search=FakeSearch())
    await rt.start()
    try:
        vendor, _ = await rt.workspace.create_vendor("bench")
        app = await rt.workspace.create_app(vendor.id, "shop", files)
        session = await rt.sessions.create_session(vendor.id, app.id)
        failed, errors = 0, []
        for r in range(requests):
            async with rt.bus.subscribe(session_log(session.id)) as subscription:
                run_id, _ = await rt.sessions.submit(
                    vendor.id, session.id, f"Request {r}: mark {markers[r][0]}."
                )
                end = await wait_for(
                    subscription,
                    lambda e, run_id=run_id: e["type"] == "run.finished" and e["run_id"] == run_id,
                    timeout=180,
                )
            if end["status"] != "completed":
                failed += 1
                errors.append(f"request {r}: {end['status']} {end.get('error')}")
        events = await rt.sessions.session_events(vendor.id, session.id, 0)
        calls = [e for e in events if e["type"] == "model.usage"]
        current = {
            f.path: (await rt.workspace.file(vendor.id, app.id, f.path)).content or ""
            for f in await rt.workspace.files(vendor.id, app.id)
        }
        exact = sum(1 for path, marker in markers if current[path].count(marker) == 1)
        versions = await rt.workspace.versions(vendor.id, app.id)
        return Outcome(
            failed=failed,
            errors=errors,
            compactions=sum(1 for e in events if e["type"] == "context.compacted"),
            summaries=sum(1 for c in calls if c["purpose"] == "summary"),
            refused_too_long=sum(
                1
                for e in events
                if e["type"] == "model.retry" and e["reason"] == "model_context_exceeded"
            ),
            peak_prompt=max(
                (c["context_tokens"] for c in calls if c["purpose"] == "turn"), default=0
            ),
            edits_exact=exact,
            ai_versions=sum(1 for v in versions if v.source == "ai"),
            calls=calls,
        )
    finally:
        await rt.stop()


def totals(calls: list[dict[str, Any]]) -> dict[str, int]:
    keys = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
    return {k: sum(c[k] for c in calls) for k in keys}


def cost(t: dict[str, int], price: Price) -> float:
    return (
        t["input_tokens"] * price.input
        + t["output_tokens"] * price.output
        + t["cache_read_tokens"] * price.cache_read
        + t["cache_write_tokens"] * price.cache_write
    ) / 1_000_000


def later_turn_read_share(calls: list[dict[str, Any]]) -> float:
    later = [c for c in calls if c["purpose"] == "turn" and c["turn"] >= 2]
    prompt = sum(
        c["input_tokens"] + c["cache_read_tokens"] + c["cache_write_tokens"] for c in later
    )
    return sum(c["cache_read_tokens"] for c in later) / prompt if prompt else 0.0


async def main(args: argparse.Namespace) -> None:
    clean_env()
    setup_logging()
    requests, window = args.requests, args.window
    with tempfile.TemporaryDirectory(prefix="appwright-bench-") as tmp, SimServer() as sim:
        on = await run_session(sim, window, requests, True, Path(tmp) / "on")
        off = await run_session(sim, window, requests, False, Path(tmp) / "off")
    for outcome in (on, off):
        for error in outcome.errors[:5]:
            print(f"  {error}")
    t_on, t_off = totals(on.calls), totals(off.calls)
    c_on, c_off = cost(t_on, SONNET), cost(t_off, SONNET)
    ratio = c_off / c_on if c_on else 0.0
    share = later_turn_read_share(on.calls)
    print_table(
        f"long_session: {requests} requests x 3 turns, {FILES} files of 5-50 KB, window {window} tokens",
        [
            (
                "requests failed (caching on / off)",
                f"{on.failed} / {off.failed}",
                "0",
                on.failed == off.failed == 0,
            ),
            (
                "compactions (of them with a summary)",
                f"{on.compactions} ({on.summaries})",
                "",
                None,
            ),
            ("requests refused as too long by the provider", str(on.refused_too_long), "", None),
            (
                "peak request (provider's count) / window",
                f"{on.peak_prompt} / {window}",
                f"<= {window}",
                on.peak_prompt <= window,
            ),
            (
                "edits landed exactly once",
                f"{on.edits_exact} / {requests}",
                f"{requests} / {requests}",
                on.edits_exact == requests,
            ),
            ("ai versions", str(on.ai_versions), str(requests), on.ai_versions == requests),
            ("model calls (caching on)", str(len(on.calls)), "", None),
        ],
    )
    print_table(
        "prompt caching (Claude Sonnet 4.5 prices: $3 input, $0.30 cache read, $3.75 cache write, $15 output per MTok)",
        [
            ("input billed at full price, on", f"{t_on['input_tokens']:,}", "", None),
            (
                "cache reads / writes, on",
                f"{t_on['cache_read_tokens']:,} / {t_on['cache_write_tokens']:,}",
                "",
                None,
            ),
            ("input billed at full price, off", f"{t_off['input_tokens']:,}", "", None),
            (
                "output tokens, on / off",
                f"{t_on['output_tokens']:,} / {t_off['output_tokens']:,}",
                "",
                None,
            ),
            ("estimated cost, on", f"${c_on:.3f}", "", None),
            ("estimated cost, off", f"${c_off:.3f}", "", None),
            ("cost ratio off / on", f"{ratio:.1f}x", ">= 5x", ratio >= 5),
            (
                "prompt read from cache, turns 2+ of a request",
                f"{share:.0%}",
                ">= 80%",
                share >= 0.8,
            ),
        ],
    )
    if on.failed or off.failed:
        raise SystemExit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--window", type=int, default=32_000)
    asyncio.run(main(parser.parse_args()))
