"""The context budget: how long the next request is, and how to make it fit (pure).

Counting. The provider reports how long each request's prompt was (`Usage.prompt_tokens`);
that is the only exact count there is. The next request's length is that count plus an
estimate of the messages added since (`Measured`). Without a measured request (the first of
a run whose conversation was just condensed) the whole request is estimated. Estimates are
deliberately high: 3 characters a token, where real tokenizers give 3.5 to 4 for code and
English, plus a few tokens around every block. Over-counting condenses a little early;
under-counting would send a request the provider refuses.

Compaction, cheapest first, each step only when the one before left too much (the aim is
`TARGET_SHARE` of the budget, so the next turns fit without condensing again):

1. Elide tool results of earlier turns (and large tool inputs, like a whole file written in
   one edit, and our own notes of earlier requests, like their file lists) to a one-line stub
   that says what was there and how to get it back. Results that went stale first (a file
   read again or edited later) and notes of earlier requests, then other tools' results, then
   the latest read of each file, and last the current request's notes; oldest first within
   each. The newest assistant message and what follows it (the results the model is about
   to read) are never touched.
2. If that leaves more than `SUMMARY_SHARE` of the budget, summarise the older part of the
   conversation into one message: the model's summary of it, every instruction the owner
   gave there, verbatim (as parts of their own, so a later summary keeps them again), and
   the files changed and versions made. The cut falls where no tool call is separated from
   its result.
3. If the newest results alone are still too long (one huge file), cut them, saying so.

The functions here take and return conversations; the async steps (asking the model for the
summary, saving the result) are in `compaction.py`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from appwright.agent.tools import ToolKind, kind_of
from appwright.models.types import (
    Message,
    Part,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
)

CHARS_PER_TOKEN = 3.0
BLOCK_OVERHEAD = 4  # type markers, ids and separators around each block
MESSAGE_OVERHEAD = 4
# After condensing, the request should take at most this share of the input budget, so the
# next few turns fit without condensing again (each condensing costs the cached prefix).
TARGET_SHARE = 0.6
# Summarise (a model call, and detail lost) only when eliding leaves more than this share.
SUMMARY_SHARE = 0.85
# The part of the conversation a summary keeps as it is, as a share of the input budget.
KEEP_SHARE = 0.3
# Results shorter than this are left alone: their stub would save next to nothing.
MIN_ELIDED_TOKENS = 60
LONG_INPUT_CHARS = 600
READ_TOOL = "get_current_code"
NOTE_STUB = "[an earlier note: elided to save context]"


def estimate_text(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def estimate_part(part: Part) -> int:
    if isinstance(part, TextPart):
        return BLOCK_OVERHEAD + estimate_text(part.text)
    if isinstance(part, ToolCallPart):
        return BLOCK_OVERHEAD + estimate_text(part.id + part.name + json.dumps(part.input))
    return BLOCK_OVERHEAD + estimate_text(part.tool_call_id + part.content)


def estimate_message(message: Message) -> int:
    return MESSAGE_OVERHEAD + sum(estimate_part(p) for p in message.parts)


def estimate_messages(messages: Sequence[Message]) -> int:
    return sum(estimate_message(m) for m in messages)


def estimate_prefix(system: str, tools: Sequence[ToolSpec]) -> int:
    """The system prompt and the tool definitions."""
    specs = [
        json.dumps({"name": t.name, "description": t.description, "input_schema": t.input_schema})
        for t in tools
    ]
    return estimate_text(system) + sum(BLOCK_OVERHEAD + estimate_text(s) for s in specs)


@dataclass(frozen=True)
class Measured:
    """The provider's count of a request that carried the conversation's first `messages`
    messages (and the same system prompt and tools)."""

    tokens: int
    messages: int


def request_tokens(prefix: int, conversation: Sequence[Message], measured: Measured | None) -> int:
    """How long a request carrying `conversation` is expected to be."""
    if measured is not None and measured.messages <= len(conversation):
        return measured.tokens + estimate_messages(conversation[measured.messages :])
    return prefix + estimate_messages(conversation)


def protected_from(conversation: Sequence[Message]) -> int:
    """Where the part compaction never changes starts: the newest assistant message (the
    calls the newest results answer), or the newest message when there is none."""
    for i in range(len(conversation) - 1, -1, -1):
        if conversation[i].role == "assistant":
            return i
    return max(0, len(conversation) - 1)


# --- step 1: elide ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    rank: int  # 0 stale read or old note; 1 other result or long input; 2 latest read of a
    # file; 3 the current request's note
    message: int
    part: int
    tokens: int
    stub: Part


def elide(conversation: Sequence[Message], saving: int) -> list[Message]:
    """The conversation with results (and long inputs) of earlier turns replaced by stubs,
    least useful first, until about `saving` tokens are saved or nothing is left."""
    candidates = sorted(_candidates(conversation), key=lambda c: (c.rank, c.message, c.part))
    out = [list(m.parts) for m in conversation]
    saved = 0
    for c in candidates:
        if saved >= saving:
            break
        out[c.message][c.part] = c.stub
        saved += c.tokens - estimate_part(c.stub)
    return [replace(m, parts=tuple(parts)) for m, parts in zip(conversation, out, strict=True)]


def _candidates(conversation: Sequence[Message]) -> list[_Candidate]:
    calls: dict[str, tuple[int, ToolCallPart]] = {}  # call id -> (turn, call)
    latest_touch: dict[str, int] = {}  # path -> index of the last message that read or edited it
    turn = 0
    for i, message in enumerate(conversation):
        if message.role == "assistant":
            turn += 1
        for part in message.parts:
            if isinstance(part, ToolCallPart):
                calls[part.id] = (turn, part)
                for path in _paths(part):
                    latest_touch[path] = i
    found: list[_Candidate] = []
    request_start = _latest_instruction(conversation)
    for i, message in enumerate(conversation[: protected_from(conversation)]):
        for j, part in enumerate(message.parts):
            tokens = estimate_part(part)
            if tokens < MIN_ELIDED_TOKENS:
                continue
            if isinstance(part, ToolResultPart):
                turn, call = calls.get(part.tool_call_id, (0, None))
                found.append(_result_candidate(i, j, part, tokens, turn, call, latest_touch))
            elif isinstance(part, ToolCallPart) and _is_long(part.input):
                elided = _elided_input(part.input)
                assert isinstance(elided, dict)
                stub = replace(part, input=elided)
                found.append(_Candidate(1, i, j, tokens, stub))
            elif isinstance(part, TextPart) and part.note and message.role == "user":
                # The current request's own notes (its file list) are kept longest.
                rank = 3 if i >= request_start else 0
                found.append(_Candidate(rank, i, j, tokens, replace(part, text=NOTE_STUB)))
    return found


def _latest_instruction(conversation: Sequence[Message]) -> int:
    """Where the current request starts: the newest message with the owner's words."""
    for i in range(len(conversation) - 1, -1, -1):
        if instructions(conversation[i : i + 1]):
            return i
    return 0


def _result_candidate(
    i: int,
    j: int,
    part: ToolResultPart,
    tokens: int,
    turn: int,
    call: ToolCallPart | None,
    latest_touch: dict[str, int],
) -> _Candidate:
    if call is not None and call.name == READ_TOOL and not part.is_error:
        path = str(call.input.get("filepath", "?"))
        offset = call.input.get("offset")
        where = f"{path} from line {offset}" if isinstance(offset, int) and offset > 1 else path
        stub_text = (
            f"[{where} as read at turn {turn}: elided to save context; read it again if needed]"
        )
        stale = latest_touch.get(path, -1) > i
        rank = 0 if stale else 2
    else:
        name = call.name if call is not None else "tool"
        stub_text = f"[{name} result from turn {turn}: elided to save context]"
        rank = 1
    return _Candidate(rank, i, j, tokens, replace(part, content=stub_text))


def _paths(call: ToolCallPart) -> list[str]:
    """The files a call names (filepath, or a rename's from and to)."""
    return [
        str(v)
        for k, v in call.input.items()
        if (k.endswith("path") or k in ("from", "to")) and isinstance(v, str)
    ]


def _is_long(value: object) -> bool:
    if isinstance(value, str):
        return len(value) > LONG_INPUT_CHARS
    if isinstance(value, dict):
        return any(_is_long(v) for v in value.values())
    if isinstance(value, list):
        return any(_is_long(v) for v in value)
    return False


def _elided_input(value: object) -> object:
    """`value` with every long string replaced by a note of its length."""
    if isinstance(value, str):
        return f"[elided: {len(value)} characters]" if _is_long(value) else value
    if isinstance(value, dict):
        return {k: _elided_input(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_elided_input(v) for v in value]
    return value


# --- step 2: summarise --------------------------------------------------------------------------


def summary_cut(conversation: Sequence[Message], keep_tokens: int) -> int:
    """How many of the oldest messages a summary replaces (0: none can be): the cut leaves
    at most about `keep_tokens` as they are, never splits a call from its result, and keeps
    the protected part whole."""
    limit = protected_from(conversation)
    boundaries = [i for i in range(2, limit + 1) if _starts_cleanly(conversation[i])]
    if not boundaries:
        return 0
    for i in boundaries:
        if estimate_messages(conversation[i:]) <= keep_tokens:
            return i
    return boundaries[-1]


def _starts_cleanly(message: Message) -> bool:
    return message.role == "assistant" or not any(
        isinstance(p, ToolResultPart) for p in message.parts
    )


def instructions(messages: Sequence[Message]) -> list[str]:
    """Everything the owner said, verbatim and in order (our own notes left out)."""
    return [
        p.text
        for m in messages
        if m.role == "user"
        for p in m.parts
        if isinstance(p, TextPart) and not p.note and p.text.strip()
    ]


def files_changed(messages: Sequence[Message]) -> list[str]:
    """Paths that edits in `messages` changed (calls whose result was not an error)."""
    failed = {
        p.tool_call_id
        for m in messages
        for p in m.parts
        if isinstance(p, ToolResultPart) and p.is_error
    }
    paths: list[str] = []
    for m in messages:
        for p in m.parts:
            if (
                isinstance(p, ToolCallPart)
                and kind_of(p.name) is ToolKind.EDIT
                and p.id not in failed
            ):
                paths.extend(path for path in _paths(p) if path not in paths)
    return paths


def summary_message(
    summarised: Sequence[Message], prose: str | None, versions: Sequence[str]
) -> Message:
    """The one message that stands for `summarised`."""
    said = instructions(summarised)
    head = "Summary of the earlier part of this conversation, condensed to fit the context window."
    if prose and prose.strip():
        head += f"\n\n{prose.strip()}"
    if said:
        head += "\n\nThe owner's instructions in that part follow, verbatim and in order."
    facts = [f"Files changed in that part: {', '.join(files_changed(summarised)) or 'none'}."]
    if versions:
        facts.append("Versions made in this conversation so far: " + "; ".join(versions) + ".")
    parts: list[Part] = [TextPart(head, note=True)]
    parts.extend(TextPart(text) for text in said)
    parts.append(TextPart("\n".join(facts), note=True))
    return Message(role="user", parts=tuple(parts))


def transcript(messages: Sequence[Message], max_tokens: int) -> str:
    """`messages` as plain text for the model to summarise, newest kept when too long."""
    lines: list[str] = []
    for m in messages:
        for p in m.parts:
            if isinstance(p, TextPart):
                who = "Owner" if m.role == "user" and not p.note else m.role.capitalize()
                lines.append(f"{who}: {p.text}")
            elif isinstance(p, ToolCallPart):
                lines.append(f"[call] {p.name} {json.dumps(p.input)[:300]}")
            else:
                lines.append(f"[result{' (error)' if p.is_error else ''}] {p.content[:300]}")
    kept: list[str] = []
    room = int(max_tokens * CHARS_PER_TOKEN)
    for line in reversed(lines):
        if len(line) + 1 > room:
            if room > 40:
                kept.append(line[: room - 20] + " …")
            kept.append("(earlier lines left out)")
            break
        room -= len(line) + 1
        kept.append(line)
    return "\n".join(reversed(kept))


# --- step 3: cut the newest results ------------------------------------------------------------


def cut_newest_results(conversation: Sequence[Message], saving: int) -> list[Message]:
    """The newest message with its longest tool results cut (longest first) until about
    `saving` tokens are saved; each cut result says how long it was."""
    if not conversation:
        return []
    last = conversation[-1]
    order = sorted(
        (j for j, p in enumerate(last.parts) if isinstance(p, ToolResultPart)),
        key=lambda j: -estimate_part(last.parts[j]),
    )
    parts = list(last.parts)
    saved = 0
    for j in order:
        if saved >= saving:
            break
        part = parts[j]
        assert isinstance(part, ToolResultPart)
        tokens = estimate_text(part.content)
        keep_tokens = max(0, tokens - (saving - saved))
        kept = part.content[: int(keep_tokens * CHARS_PER_TOKEN)]
        note = (
            f"\n[cut here: this result was about {tokens} tokens, more than the context window "
            "has room for; ask for a smaller part]"
        )
        parts[j] = replace(part, content=kept + note)
        saved += tokens - estimate_text(kept + note)
    return [*conversation[:-1], replace(last, parts=tuple(parts))]
