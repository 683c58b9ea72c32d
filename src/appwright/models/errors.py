"""The one place where provider SDK and transport exceptions become `ModelError`s.

    code                      transient  raised for
    rate_limited              yes        429, a rate_limit_error event (retry_after from headers)
    overloaded                yes        529, an overloaded_error (status or stream event)
    model_server_error        yes        any other 5xx, an api_error/server_error stream event
    model_request_timeout     yes        408
    model_conflict            yes        409
    model_connection_failed   yes        could not connect or send the request
    model_timeout             yes        no answer within the SDK's timeout before streaming
    model_stream_dropped      yes        the stream broke off, or ended before its end event
    model_stream_stalled      yes        the SDK's read timeout fired mid-stream (a backstop:
                                         the run loop's idle timeout normally fires first)
    model_auth_failed         no         401, an authentication_error event
    model_permission_denied   no         403, a permission_error event
    model_not_found           no         404, a not_found_error event
    model_context_exceeded    no         the prompt is longer than the model's window: Anthropic's
                                         400 "prompt is too long: N tokens > M maximum", OpenAI's
                                         `context_length_exceeded` (data: tokens, maximum)
    model_bad_request         no         400, 422, an invalid_request_error event
    model_request_too_large   no         413
    model_request_failed      no         any other 4xx
    model_stream_error        no         a stream error event of a type we do not know
    model_bad_response        no         a stream that makes no sense (built by the adapters)

Messages are built from the status, the error type and the API's own message text, never
from headers or the request; any secret passed in is scrubbed anyway, and a rejected key
gets our own words, since some APIs echo part of the key back.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Iterable
from typing import Any

import anthropic
import httpx
import httpx2
import openai

from appwright.errors import ModelError
from appwright.redaction import redact

_BY_STATUS: dict[int, tuple[str, bool]] = {
    400: ("model_bad_request", False),
    401: ("model_auth_failed", False),
    403: ("model_permission_denied", False),
    404: ("model_not_found", False),
    408: ("model_request_timeout", True),
    409: ("model_conflict", True),
    413: ("model_request_too_large", False),
    422: ("model_bad_request", False),
    429: ("rate_limited", True),
    529: ("overloaded", True),
}
_BY_TYPE: dict[str, tuple[str, bool]] = {
    "overloaded_error": ("overloaded", True),
    "rate_limit_error": ("rate_limited", True),
    "api_error": ("model_server_error", True),
    "server_error": ("model_server_error", True),
    "timeout_error": ("model_server_error", True),
    "invalid_request_error": ("model_bad_request", False),
    "authentication_error": ("model_auth_failed", False),
    "permission_error": ("model_permission_denied", False),
    "not_found_error": ("model_not_found", False),
    "request_too_large": ("model_request_too_large", False),
}
_STATUS_ERRORS = (anthropic.APIStatusError, openai.APIStatusError)
_API_ERRORS = (anthropic.APIError, openai.APIError)
_TIMEOUTS = (
    anthropic.APITimeoutError,
    openai.APITimeoutError,
    httpx.TimeoutException,
    httpx2.TimeoutException,
)
_CONNECTION_ERRORS = (
    anthropic.APIConnectionError,
    openai.APIConnectionError,
    httpx.TransportError,
    httpx2.TransportError,
)
_NEVER_CONNECTED = (
    httpx.ConnectError,
    httpx2.ConnectError,
    httpx.ConnectTimeout,
    httpx2.ConnectTimeout,
)
_MAX_API_MESSAGE = 300
CONTEXT_EXCEEDED = "model_context_exceeded"
# (pattern, group of the prompt's tokens, group of the window) in the wordings the APIs use.
_OVERFLOW_WORDINGS = (
    (re.compile(r"prompt is too long: (\d+) tokens > (\d+) maximum"), 1, 2),
    (re.compile(r"input length and `max_tokens` exceed context limit: (\d+) \+ \d+ > (\d+)"), 1, 2),
    (re.compile(r"maximum context length is (\d+) tokens.*?resulted in (\d+) tokens", re.S), 2, 1),
)


def backstop_timeout(idle_timeout: float) -> float:
    """The SDK's own read timeout: above the loop's idle timeout, so the loop's fires first
    and this one only catches a stream nobody is watching."""
    return idle_timeout * 1.25 + 1.0


def to_model_error(
    exc: BaseException, *, provider: str, mid_stream: bool, secrets: Iterable[str] = ()
) -> ModelError | None:
    """The `ModelError` for an exception out of a provider SDK, or None when it is not one
    (a bug of ours, say), which the caller lets propagate unchanged."""
    error = _translate(exc, provider, mid_stream)
    if error is None:
        return None
    message = redact(error.message, secrets)
    if message == error.message:
        return error
    return ModelError(
        message, code=error.code, transient=error.transient, retry_after=error.retry_after
    )


def stream_dropped(provider: str, why: str) -> ModelError:
    return ModelError(
        f"{provider} stream broke off mid-response ({why})",
        code="model_stream_dropped",
        transient=True,
        provider=provider,
    )


def bad_response(provider: str, why: str) -> ModelError:
    return ModelError(
        f"{provider} sent a stream that makes no sense: {why}",
        code="model_bad_response",
        transient=False,
        provider=provider,
    )


def _translate(exc: BaseException, provider: str, mid_stream: bool) -> ModelError | None:
    if isinstance(exc, _STATUS_ERRORS) and exc.status_code >= 400:
        return _from_status(exc, provider)
    if isinstance(exc, _CONNECTION_ERRORS):
        # The SDKs wrap transport errors; the wrapped one says what actually happened.
        cause = exc.__cause__ if isinstance(exc, _API_ERRORS) and exc.__cause__ else exc
        if isinstance(cause, _NEVER_CONNECTED):
            return ModelError(
                f"could not reach {provider} ({type(cause).__name__})",
                code="model_connection_failed",
                transient=True,
                provider=provider,
            )
        if isinstance(exc, _TIMEOUTS) or isinstance(cause, _TIMEOUTS):
            return _timed_out(provider, mid_stream)
        if mid_stream:
            return stream_dropped(provider, type(cause).__name__)
        return ModelError(
            f"the connection to {provider} failed ({type(cause).__name__})",
            code="model_connection_failed",
            transient=True,
            provider=provider,
        )
    if isinstance(exc, _API_ERRORS):
        return _from_stream_event(exc, provider)
    return None


def _timed_out(provider: str, mid_stream: bool) -> ModelError:
    if mid_stream:
        return ModelError(
            f"{provider} sent nothing for longer than the client's read timeout",
            code="model_stream_stalled",
            transient=True,
            provider=provider,
        )
    return ModelError(
        f"{provider} did not answer within the client's timeout",
        code="model_timeout",
        transient=True,
        provider=provider,
    )


def _from_status(
    exc: anthropic.APIStatusError | openai.APIStatusError, provider: str
) -> ModelError:
    status = exc.status_code
    error_type, api_message = _error_fields(exc.body)
    overflow = _context_overflow(exc.body, api_message) if status in (400, 413) else None
    if overflow is not None:
        tokens, maximum = overflow
        return ModelError(
            f"{provider} answered {status}: the prompt is longer than the model's context "
            f"window ({api_message or 'no details'})",
            code=CONTEXT_EXCEEDED,
            transient=False,
            provider=provider,
            status=status,
            tokens=tokens,
            maximum=maximum,
        )
    code, transient = _BY_STATUS.get(status) or _status_fallback(status, error_type)
    if code == "model_auth_failed":
        api_message = "the API key was rejected"
    detail = f"{error_type}: {api_message}" if error_type else api_message or "no details"
    return ModelError(
        f"{provider} answered {status} {detail}",
        code=code,
        transient=transient,
        retry_after=retry_after(exc.response.headers),
        provider=provider,
        status=status,
        error_type=error_type,
    )


def _status_fallback(status: int, error_type: str | None) -> tuple[str, bool]:
    if error_type == "overloaded_error":
        return _BY_TYPE[error_type]
    if status >= 500:
        return ("model_server_error", True)
    return ("model_request_failed", False)


def _from_stream_event(exc: anthropic.APIError | openai.APIError, provider: str) -> ModelError:
    error_type, api_message = _error_fields(exc.body)
    code, transient = _BY_TYPE.get(error_type or "", ("model_stream_error", False))
    if code == "model_auth_failed":
        api_message = "the API key was rejected"
    return ModelError(
        f"{provider} stream failed mid-response with {error_type or 'an error'}: "
        f"{api_message or 'no details'}",
        code=code,
        transient=transient,
        provider=provider,
        error_type=error_type,
    )


def _context_overflow(body: Any, api_message: str | None) -> tuple[int | None, int | None] | None:
    """(prompt tokens, window) when the error says the prompt does not fit the window (either
    number None when the wording does not give it); None for any other error."""
    inner = body.get("error") if isinstance(body, dict) else None
    inner = inner if isinstance(inner, dict) else body if isinstance(body, dict) else {}
    text = api_message or ""
    for pattern, tokens_group, maximum_group in _OVERFLOW_WORDINGS:
        found = pattern.search(text)
        if found:
            return int(found.group(tokens_group)), int(found.group(maximum_group))
    if inner.get("code") == "context_length_exceeded":
        return None, None
    return None


def _error_fields(body: Any) -> tuple[str | None, str | None]:
    """(type, message) from either API's error body; Anthropic nests them under "error",
    the OpenAI SDK hands over the inner object itself."""
    if not isinstance(body, dict):
        return None, None
    inner = body["error"] if isinstance(body.get("error"), dict) else body
    error_type = inner.get("type")
    message = inner.get("message")
    return (
        error_type if isinstance(error_type, str) else None,
        message[:_MAX_API_MESSAGE] if isinstance(message, str) else None,
    )


def retry_after(headers: Any) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
