"""Structured logs: JSON lines when stderr is not a terminal, carrying the request, vendor,
app and run ids of the work that logged them. Ids come from context variables set at the
boundaries (HTTP middleware, the run loop), so no call site has to pass them along.

Tokens never reach a log line: nothing logs a header or a query string, and `scrub` removes
anything shaped like one of our tokens from messages built out of foreign text.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
vendor_id: ContextVar[str | None] = ContextVar("vendor_id", default=None)
app_id: ContextVar[str | None] = ContextVar("app_id", default=None)
run_id: ContextVar[str | None] = ContextVar("run_id", default=None)

_CONTEXT = {"request_id": request_id, "vendor_id": vendor_id, "app_id": app_id, "run_id": run_id}
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}
_SECRETISH = re.compile(
    r"(aw[va]_[A-Za-z0-9_\-]{16,}|sk-[A-Za-z0-9_\-]{8,}|gh[pousr]_[A-Za-z0-9]{16,}|"
    r"(?<=://)[^/\s:@]+:[^/\s@]+(?=@))"
)


def scrub(text: str) -> str:
    return _SECRETISH.sub("[redacted]", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        for key, var in _CONTEXT.items():
            value = var.get()
            if value is not None:
                data[key] = value
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value if isinstance(value, (int, float, bool)) else scrub(str(value))
        if record.exc_info:
            data["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(data, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(f"{k}={v.get()}" for k, v in _CONTEXT.items() if v.get() is not None)
        line = f"{record.levelname:<7} {record.name}: {scrub(record.getMessage())}"
        if ids:
            line += f"  [{ids}]"
        if record.exc_info:
            line += "\n" + scrub(self.formatException(record.exc_info))
        return line


def configure(level: str = "INFO", json_lines: bool | None = None) -> None:
    use_json = (not sys.stderr.isatty()) if json_lines is None else json_lines
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Per-request and start-up chatter; their warnings and errors still show. (`serve`
    # prints its own banner once it answers.)
    for noisy in (
        "httpx",
        "httpx2",
        "httpcore",
        "uvicorn.access",
        "uvicorn.error",
        "aiosqlite",
        "asyncio",
        "alembic",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
