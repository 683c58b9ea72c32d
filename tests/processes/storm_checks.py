"""What a storm leaves, and the contract it is held to: each run's trace (what its client
saw), and `check_run`, the verdict on the end state of the run's session."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from appwright.agent.takeover import STOPPED

if TYPE_CHECKING:
    from serving import ServeProcess

ITEM = "<li>storm</li>"  # the line each run's edit adds


@dataclass
class RunTrace:
    """One run as its client saw it."""

    index: int
    via: str
    client_msg_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    app_id: str = ""
    session_id: str = ""
    owner: ServeProcess | None = None  # the process that first accepted its message
    received: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    finished: bool = False
    hung: bool = False
    drops: int = 0

    @property
    def last_seq(self) -> int:
        return self.received[-1]["seq"] if self.received else 0

    @property
    def started(self) -> bool:
        return any(
            e["type"] == "run.started" and e.get("client_msg_id") == self.client_msg_id
            for e in self.received
        )

    def running_a_tool(self) -> bool:
        open_tools = Counter(e["tool_id"] for e in self.received if e["type"] == "tool.started")
        open_tools.subtract(e["tool_id"] for e in self.received if e["type"] == "tool.finished")
        resumed = any(e["type"] == "run.resumed" for e in self.received)
        return not self.finished and not resumed and any(n > 0 for n in open_tools.values())


@dataclass
class Verdict:
    """What the end state of one run says (see `check_run`)."""

    broken: list[str] = field(default_factory=list)  # the log breaks the contract
    notes: list[str] = field(default_factory=list)  # what went wrong with the run's edit
    client_differs: bool = False  # what the client received is not the log
    lost: int = 0  # edits reported but not applied, or applied but not reported
    refused: bool = False  # the run completed with its edit refused, and said so
    doubled: int = 0  # edits applied more than once
    applied: int = 0
    status: str = "none"
    code: str | None = None  # the error code of a run that did not complete
    resumed: bool = False
    closed_by_takeover: int = 0  # tools a takeover closed


@dataclass
class StormReport:
    seconds: float = 0.0
    kills: int = 0
    restarts: int = 0
    model_calls: int = 0
    faults_hit: int = 0
    verdicts: list[Verdict] = field(default_factory=list)
    hangs: int = 0
    drops: int = 0
    client_errors: list[str] = field(default_factory=list)

    @property
    def broken_logs(self) -> int:
        return sum(1 for v in self.verdicts if v.broken)

    @property
    def ended_correctly(self) -> int:
        return sum(1 for v in self.verdicts if not v.broken and v.status != "none")

    @property
    def client_mismatches(self) -> int:
        return sum(v.client_differs for v in self.verdicts)

    @property
    def edits_lost(self) -> int:
        return sum(v.lost for v in self.verdicts)

    @property
    def edits_doubled(self) -> int:
        return sum(v.doubled for v in self.verdicts)

    @property
    def statuses(self) -> Counter[str]:
        return Counter(v.status for v in self.verdicts)

    @property
    def outcomes(self) -> Counter[str]:
        """Statuses, with the error code of those that did not complete."""
        return Counter(f"{v.status} ({v.code})" if v.code else v.status for v in self.verdicts)

    def problems(self) -> list[str]:
        return [p for v in self.verdicts for p in v.broken + v.notes] + self.client_errors


def check_run(
    trace: RunTrace, events: list[dict[str, Any]], versions: list[dict[str, Any]], content: str
) -> Verdict:
    """The contract, for the session of one run: contiguous `seq`; one `run.started` (the
    client's) and one `run.finished`, last; every `tool.started` finished exactly once, and
    before any `run.resumed` that follows it; the client received exactly the log; the run's
    edit applied at most once, reported if and only if applied, and present in the file."""
    verdict = Verdict()
    name = f"run {trace.index} ({trace.session_id})"
    broken = verdict.broken
    if [e["seq"] for e in events] != list(range(1, len(events) + 1)):
        broken.append(f"{name}: seq not contiguous")
    starts = [e for e in events if e["type"] == "run.started"]
    ends = [e for e in events if e["type"] == "run.finished"]
    if len(starts) != 1 or starts[0].get("client_msg_id") != trace.client_msg_id:
        broken.append(f"{name}: {len(starts)} run.started")
    if len(ends) != 1 or events[-1]["type"] != "run.finished":
        broken.append(f"{name}: {len(ends)} run.finished")
    else:
        verdict.status = ends[0]["status"]
        verdict.code = (ends[0].get("error") or {}).get("code")
    running: Counter[str] = Counter()
    for event in events:
        if event["type"] == "tool.started":
            running[event["tool_id"]] += 1
        elif event["type"] == "tool.finished":
            if running[event["tool_id"]] == 0:
                broken.append(f"{name}: tool.finished {event['tool_id']} without a start")
            running[event["tool_id"]] -= 1
            verdict.closed_by_takeover += event["summary"] == STOPPED
        elif event["type"] == "run.resumed":
            verdict.resumed = True
            if +running:
                broken.append(f"{name}: run.resumed (seq {event['seq']}) with tools still running")
    if +running:
        broken.append(f"{name}: tool.started without tool.finished: {sorted(+running)}")
    if not trace.hung and trace.received != events:
        verdict.client_differs = True
        broken_seq = [e["seq"] for e in trace.received]
        broken.append(f"{name}: the client received seq {broken_seq[:5]}... not the log")
    run_id = starts[0]["run_id"] if starts else None
    applied = [v for v in versions if v["source"] == "ai" and v["run_id"] == run_id]
    reported = {e["version_id"] for e in events if e["type"] == "file.updated"}
    applied_ids = {v["id"] for v in applied}
    edits = [
        (e["status"], e["summary"][:80])
        for e in events
        if e["type"] == "tool.finished" and e["name"] == "apply_edit"
    ]
    verdict.applied = len(applied)
    verdict.doubled = max(0, len(applied) - 1) + max(0, content.count(ITEM) - len(applied))
    verdict.lost += len(reported - applied_ids)  # said to be applied, but absent
    verdict.lost += len(applied_ids - reported)  # applied without a word
    verdict.lost += max(0, len(applied) - content.count(ITEM))  # a version the file lacks
    if not applied and any(status == "ok" for status, _ in edits):
        verdict.lost += 1  # the model was told it worked
    verdict.refused = not applied and bool(edits) and verdict.status == "completed"
    if verdict.lost or verdict.doubled:
        verdict.notes.append(
            f"{name}: {len(applied)} versions, {content.count(ITEM)} items, "
            f"{len(reported)} reported; apply_edit outcomes {edits}"
        )
    return verdict
