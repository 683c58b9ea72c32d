"""The translation table, on exceptions built the way the SDKs build them."""

import email.utils
import time

import anthropic
import httpx2
import openai
import pytest

from appwright.models.errors import backstop_timeout, retry_after, to_model_error

REQUEST = httpx2.Request("POST", "http://model.test/v1/messages")


def anthropic_status(status: int, error_type: str, message: str, headers=None):
    body = {"type": "error", "error": {"type": error_type, "message": message}}
    response = httpx2.Response(status, headers=headers or {}, json=body, request=REQUEST)
    return anthropic.APIStatusError(f"Error code: {status}", response=response, body=body)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after(headers: dict, expected: float | None):
    assert retry_after(httpx2.Headers(headers)) == expected


def test_retry_after_as_an_http_date():
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 < retry_after(httpx2.Headers({"retry-after": when})) <= 30


def test_overloaded_type_on_another_5xx_is_overloaded():
    error = to_model_error(
        anthropic_status(503, "overloaded_error", "Overloaded"), provider="A", mid_stream=False
    )
    assert (error.code, error.transient) == ("overloaded", True)


def test_other_4xx_is_a_failed_request():
    error = to_model_error(anthropic_status(418, "x", "teapot"), provider="A", mid_stream=False)
    assert (error.code, error.transient) == ("model_request_failed", False)


def test_secrets_are_scrubbed_and_auth_messages_are_ours():
    leaky = anthropic_status(500, "api_error", "upstream said sk-secret-123 was fine")
    error = to_model_error(leaky, provider="A", mid_stream=False, secrets=["sk-secret-123"])
    assert "sk-secret-123" not in error.message and "[redacted]" in error.message
    echoing = anthropic_status(401, "authentication_error", "bad key sk-secret-123")
    error = to_model_error(echoing, provider="A", mid_stream=False)
    assert "sk-secret" not in error.message and error.code == "model_auth_failed"


def test_unknown_stream_error_type_is_not_retried():
    body = {"message": "?", "type": "mystery_error"}
    error = to_model_error(openai.APIError("?", REQUEST, body=body), provider="O", mid_stream=True)
    assert (error.code, error.transient) == ("model_stream_error", False)


def test_connection_errors_before_and_during_the_stream():
    reset = httpx2.ReadError("connection reset")
    before = to_model_error(reset, provider="A", mid_stream=False)
    during = to_model_error(reset, provider="A", mid_stream=True)
    assert before.code == "model_connection_failed" and during.code == "model_stream_dropped"
    refused = anthropic.APIConnectionError(request=REQUEST)
    refused.__cause__ = httpx2.ConnectError("refused")
    assert to_model_error(refused, provider="A", mid_stream=True).code == "model_connection_failed"
    timeout = to_model_error(anthropic.APITimeoutError(REQUEST), provider="A", mid_stream=False)
    assert (timeout.code, timeout.transient) == ("model_timeout", True)


def test_not_a_provider_error():
    assert to_model_error(ValueError("bug"), provider="A", mid_stream=True) is None


def test_backstop_is_above_the_idle_timeout():
    assert backstop_timeout(45) > 45 and backstop_timeout(0.1) > 0.1
