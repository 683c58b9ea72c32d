"""The one secret scrubber, for every text built out of something foreign (a library's
exception, a provider's error body, a log record) before it reaches a log line, an event or
an error answer.

It removes three things: the userinfo of any URL (`https://user:pass@host` loses
`user:pass@`), anything shaped like a token (ours, a provider's API key, a git host's), and
each secret the caller names, in every form a library might quote it in (as is,
percent-encoded, or inside a basic-auth header).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "[redacted]"
# The username a git host takes along with a token (basic auth); `git/transport.py` sends it.
TOKEN_USERNAME = "x-access-token"

_USERINFO = re.compile(r"(\w+://)[^/\s@]+@")
_TOKEN_SHAPED = re.compile(
    r"aw[va]_[A-Za-z0-9_\-]{16,}|sk-[A-Za-z0-9_\-]{8,}|gh[pousr]_[A-Za-z0-9]{16,}"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without any secret."""
    text = _USERINFO.sub(r"\1", text)
    named = tuple(s for s in secrets if s)
    forms: set[str] = set()
    for secret in named:
        forms |= {secret, quote(secret, safe=""), quote(secret)}
        for user in (TOKEN_USERNAME, *named):
            forms.add(base64.b64encode(f"{user}:{secret}".encode()).decode())
    # Longest first, so that a form containing another is replaced whole.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return _TOKEN_SHAPED.sub(REDACTED, text)
