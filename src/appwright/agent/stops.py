"""What the loop does after a reply, by how the reply ended (pure).

    stop reason                      what happens next
    end_turn, stop_sequence          done (or run the tools it asked for, then go on)
    tool_use                         run the tools, send the results, go on
    max_tokens                       the reply was cut at the output limit: a tool call cut
                                     off is never run; the model is told so and asked to
                                     split the change, and `max_tokens` is raised once for
                                     the rest of the run; cut text is continued
    model_context_window_exceeded    as max_tokens, and the conversation is condensed first
    pause_turn                       the provider paused a long turn: send it back as it is,
                                     so the model continues it
    refusal                          the run ends `failed`, code `model_refused`, with the
                                     model's explanation; tools it asked for are not run
    anything else                    as end_turn (a stop reason newer than this code)

OpenAI's finish reasons arrive already mapped (`length` is max_tokens, `content_filter` a
refusal). The same request is never sent twice: after a cut the conversation has grown by
the reply and a note, and the output limit is higher.
"""

from __future__ import annotations

from dataclasses import dataclass

from appwright.errors import AppwrightError
from appwright.models.types import (
    CONTEXT_WINDOW_EXCEEDED,
    MAX_TOKENS,
    OUTPUT_CUT,
    PAUSE_TURN,
    REFUSAL,
    Message,
    Reply,
    TextPart,
)

# How much to raise the output limit after a cut call, at most to the model's maximum.
RAISE_FACTOR = 4


class ModelRefused(AppwrightError):
    default_code = "model_refused"


@dataclass(frozen=True)
class Next:
    message: Message  # the reply as it goes into the conversation
    notes: tuple[str, ...] = ()  # for the model, in the next user message
    done: bool = False  # the run is complete once the reply (and its tools) are saved
    refused: str | None = None  # the run fails: the model declined, saying this
    compact: bool = False  # condense before the next request
    raise_output: bool = False  # raise max_tokens for the rest of the run


def after_reply(reply: Reply, max_tokens: int) -> Next:
    reason = reply.end.stop_reason
    message = reply.message
    if reason == REFUSAL:
        return Next(message=_without_calls(message), refused=_explanation(reply))
    notes: list[str] = []
    if reply.cut_calls:
        for call in reply.cut_calls:
            notes.append(
                f"Your call to {call.name} was cut off at the output limit ({max_tokens} "
                "tokens) before its input was complete, so it was not run. Make the change in "
                "smaller steps: several calls, each with a short input (for apply_edit, a "
                "short old_code and new_code), instead of one large one."
            )
    elif reason in OUTPUT_CUT:
        notes.append(
            f"Your reply was cut off at the output limit ({max_tokens} tokens). Continue "
            "exactly where it stopped, without repeating what you already wrote."
            if reason == MAX_TOKENS
            else "Your reply was cut off because the context window was full; the older part "
            "of the conversation has been condensed. Continue where you stopped."
        )
    continues = bool(message.tool_calls) or bool(notes) or reason == PAUSE_TURN
    return Next(
        message=message,
        notes=tuple(notes),
        done=not continues,
        compact=reason == CONTEXT_WINDOW_EXCEEDED,
        raise_output=bool(reply.cut_calls),
    )


def raised_output(max_tokens: int, model_max: int) -> int:
    return max(max_tokens, min(model_max, max_tokens * RAISE_FACTOR))


def notes_message(notes: tuple[str, ...]) -> Message:
    return Message(role="user", parts=tuple(TextPart(n, note=True) for n in notes))


def _without_calls(message: Message) -> Message:
    """A refused reply keeps its words; calls it made would have no results, so they go."""
    parts = tuple(p for p in message.parts if isinstance(p, TextPart))
    return Message(role="assistant", parts=parts or (TextPart("(declined)", note=True),))


def _explanation(reply: Reply) -> str:
    details = reply.end.stop_details
    said = (details.explanation if details else None) or reply.message.text.strip()
    category = f" (category: {details.category})" if details and details.category else ""
    because = f": {said}" if said else "."
    return f"The model declined this request{category}{because}"


def ended(turns: int, last: Message | None, last_stop: str | None) -> bool:
    """Whether a run's saved turns show that it ended, its `run.finished` alone missing (its
    process stopped in between): the last saved message is the model's, and its turn was not
    paused (a paused turn is continued)."""
    return turns > 0 and last is not None and last.role == "assistant" and last_stop != PAUSE_TURN
