"""Typed errors, their codes, and how each crosses a boundary.

    AppwrightError(code, message, **data)      everything we raise on purpose
    ├── Unauthorized                          401  no or bad token
    ├── NotFound                              404  missing, or another vendor's
    ├── Conflict                              409  nothing to undo, run already active, ...
    │   └── EditConflict                      409  the file changed since the edit began
    ├── InvalidInput                          422  bad path, too large, not text, ...
    ├── Unavailable                           503  the store or another dependency is down
    ├── ModelError                            a model call failed; `transient` says retry
    ├── ToolError                             a tool failed; becomes an error result
    └── LeaseLost                             another process took this process's run over;
                                              the write was refused (never reaches a client)

The HTTP status of an error is decided here and nowhere else (`http_status`), and so is the
`{code, message}` shape that events and responses carry (`as_payload`). Messages never
contain a secret: they are built from our own words and from data we chose to show.
"""

from __future__ import annotations

from typing import Any


class AppwrightError(Exception):
    status = 400
    default_code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, **data: Any) -> None:
        super().__init__(message)
        self.code = code or self.default_code
        self.message = message
        self.data = data

    def as_payload(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class Unauthorized(AppwrightError):
    status = 401
    default_code = "unauthorized"


class NotFound(AppwrightError):
    status = 404
    default_code = "not_found"


class Conflict(AppwrightError):
    status = 409
    default_code = "conflict"


class EditConflict(Conflict):
    """A manual edit started from a version the file has changed since. The answer carries
    what the file is now (`current`), so the editor can show both sides at once."""

    default_code = "edit_conflict"

    def __init__(self, message: str, *, current: dict[str, Any]) -> None:
        super().__init__(message, current=current)

    def as_payload(self) -> dict[str, Any]:
        return {**super().as_payload(), "current": self.data["current"]}


class InvalidInput(AppwrightError):
    status = 422
    default_code = "invalid_input"


class Unavailable(AppwrightError):
    status = 503
    default_code = "unavailable"


class ModelError(AppwrightError):
    """A model call failed. `transient` errors are retried by the run loop."""

    status = 502
    default_code = "model_error"

    def __init__(
        self,
        message: str,
        *,
        code: str,
        transient: bool,
        retry_after: float | None = None,
        **data: Any,
    ) -> None:
        super().__init__(message, code=code, **data)
        self.transient = transient
        self.retry_after = retry_after


class ToolError(AppwrightError):
    """A tool could not do what the model asked; the model sees the message."""

    default_code = "tool_error"


class LeaseLost(AppwrightError):
    """A write of a run was refused because this process no longer holds the run's lease:
    another process took the run over. The run stops here without a word; its new owner
    ends it."""

    status = 409
    default_code = "lease_lost"


def http_status(error: AppwrightError) -> int:
    return error.status


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
