"""What `appwright chat` shows of a run: the model's text as it streams, one line per tool
start and end, each file the run changes with its version, and at the end what the run kept.

Tools can run side by side, so their lines interleave: each tool gets a number when it starts
(`[1] web_search ...`) and its end repeats it (`[1] ✓ done in 1.2 s: ...`), so the two pair up
whatever finished first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, TextIO


@dataclass
class Screen:
    out: TextIO
    _mid_line: bool = False
    _tool_numbers: dict[str, int] = field(default_factory=dict)
    # The versions the run made, in order, each with the paths it changed.
    versions: dict[str, list[str]] = field(default_factory=dict)

    def line(self, text: str) -> None:
        """`text` on a line of its own, whatever was written before."""
        if self._mid_line:
            self.out.write("\n")
        self.out.write(text + "\n")
        self._mid_line = False
        self.out.flush()

    def text(self, text: str) -> None:
        self.out.write(text)
        self._mid_line = not text.endswith("\n") if text else self._mid_line
        self.out.flush()

    def event(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "text.delta":
            self.text(event["text"])
        elif kind == "turn.started" and event["turn"] > 1:
            self.line("")
        elif kind == "tool.started":
            number = self._tool_numbers.setdefault(event["tool_id"], len(self._tool_numbers) + 1)
            self.line(f"  [{number}] {event['name']} {_brief(event['input'])}")
        elif kind == "tool.finished":
            known = self._tool_numbers.get(event["tool_id"])
            label = "?" if known is None else str(known)
            mark, seconds = "✓" if event["status"] == "ok" else "✗", event["duration_ms"] / 1000
            outcome = "done" if event["status"] == "ok" else event["status"]
            self.line(f"  [{label}] {mark} {outcome} in {seconds:.1f} s: {event['summary']}")
        elif kind == "file.updated":
            paths = self.versions.setdefault(event["version_id"], [])
            paths.append(event["path"])
            verb = "deleted" if event.get("deleted") else "changed"
            self.line(f"  ✎ {verb} {event['path']} (version {event['version_id']})")
        elif kind == "model.retry":
            self.line(
                f"  … model call failed ({event['reason']}); retry {event['attempt']} "
                f"in {event['delay_ms']} ms"
            )
        elif kind == "run.resumed":
            self.line(
                f"  … the server working on this stopped; another resumed it at turn "
                f"{event['turn']} (text since that turn began is discarded)"
            )
        elif kind == "context.compacted":
            self.line(
                f"  … conversation condensed to fit the context window "
                f"({event['tokens_before']} → {event['tokens_after']} tokens)"
            )
        elif kind == "run.finished":
            self.finished(event)

    def finished(self, event: dict[str, Any]) -> None:
        self.line("")
        ending = f"[{event['status']}]"
        if event.get("error"):
            ending += f" {event['error']['code']}: {event['error']['message']}"
        self.line(ending)
        self.line(self.kept())
        self.line(usage_line(event.get("usage") or {}))

    def kept(self) -> str:
        """What the run left behind: its versions stay whether it finished or not."""
        if not self.versions:
            return "no files were changed"
        made = ", ".join(f"{v} ({', '.join(paths)})" for v, paths in self.versions.items())
        noun = "version" if len(self.versions) == 1 else "versions"
        return f"kept: {noun} {made} (undo from the workspace)"


def _brief(tool_input: dict[str, Any]) -> str:
    shown = json.dumps(tool_input, ensure_ascii=False)
    return shown if len(shown) <= 100 else shown[:99] + "…"


def usage_line(usage: dict[str, Any]) -> str:
    cost = usage.get("cost_usd")
    return (
        f"tokens: {usage.get('input_tokens', 0)} in, {usage.get('output_tokens', 0)} out, "
        f"{usage.get('cache_read_tokens', 0)} read from cache, "
        f"{usage.get('cache_write_tokens', 0)} written to cache; "
        f"cost: {'unknown' if cost is None else f'${cost:.4f}'}"
    )
