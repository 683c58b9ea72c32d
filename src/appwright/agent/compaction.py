"""Condensing a conversation so the next request fits: the steps of `context.py` in order,
with the one that needs the model (the summary) behind a callable.

Token counts after a step are the count before it minus a credit for what was removed: the
estimate of the removed text, times `SAVING_CREDIT` when the count before was measured by the
provider. Estimates run high (3 characters a token), so crediting only three quarters of
them keeps the count after on the high side for any text of 2.25 characters a token or more.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from appwright.agent.context import (
    KEEP_SHARE,
    SUMMARY_SHARE,
    TARGET_SHARE,
    cut_newest_results,
    elide,
    estimate_messages,
    summary_cut,
    summary_message,
    transcript,
)
from appwright.errors import AppwrightError
from appwright.models.errors import CONTEXT_EXCEEDED
from appwright.models.types import Message

SAVING_CREDIT = 0.75

SUMMARY_SYSTEM = """You condense conversations between the owner of a small web app and the \
engineer who edits it for them, so the engineer can go on working with less to read.

Write a short summary (at most 250 words, plain sentences) of the conversation you are given: \
what the owner asked for, what was done, what was decided, and what is still open. Name files \
and the specific changes made to them. Do not quote file contents. Do not add anything that is \
not in the conversation."""

Summarise = Callable[[str], Awaitable[str | None]]
Versions = Callable[[], Awaitable[list[str]]]


class ContextTooLong(AppwrightError):
    default_code = CONTEXT_EXCEEDED


@dataclass(frozen=True)
class Compacted:
    """The condensed conversation: `summarised` of the oldest messages were replaced by the
    first message; every other message is the one at the same place after them, possibly
    with parts elided."""

    messages: list[Message]
    summarised: int
    tokens_before: int
    tokens_after: int


async def compact(
    conversation: Sequence[Message],
    *,
    tokens: int,
    measured: bool,
    limit: int,
    summarise: Summarise,
    versions: Versions,
    force: bool = False,
) -> Compacted:
    """`tokens`: the request's expected length now (`measured`: from the provider's count);
    `limit`: the most it may be; `force`: condense by a quarter at least, even when the count
    says it fits (the provider found the window full). Raises ContextTooLong when nothing
    brings it under."""
    credit = SAVING_CREDIT if measured else 1.0
    target = int(limit * TARGET_SHARE)
    if force:
        target = min(target, tokens * 3 // 4)
    before = list(conversation)
    messages = list(conversation)
    summarised = 0

    def after(changed: Sequence[Message]) -> int:
        return tokens - int(credit * (estimate_messages(before) - estimate_messages(changed)))

    messages = elide(messages, int((tokens - target) / credit))
    if after(messages) > int(limit * SUMMARY_SHARE):
        cut = summary_cut(messages, int(limit * KEEP_SHARE))
        if cut:
            prose = await summarise(transcript(messages[:cut], limit // 2))
            summary = summary_message(messages[:cut], prose, await versions())
            messages = [summary, *messages[cut:]]
            summarised = cut
    if after(messages) > limit:
        messages = cut_newest_results(messages, int((after(messages) - target) / credit))
    tokens_after = after(messages)
    if tokens_after > limit:
        raise ContextTooLong(
            f"The conversation does not fit the model's context window ({limit} tokens for the "
            f"request) even after condensing it (about {tokens_after} tokens). Start a new "
            "session, or set APPWRIGHT_CONTEXT_TOKENS if the model's window is larger."
        )
    return Compacted(messages, summarised, tokens, max(0, tokens_after))
