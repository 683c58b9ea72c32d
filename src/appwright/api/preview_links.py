"""Preview link credentials: `<expiry>.<signature>` over the app id, HMAC-SHA256.

The credential sits in the link's path (`/preview/<app>/.appwright/<cred>/`) because a
sandboxed preview document sends no cookies and its relative URLs keep the path: every page,
style and script the app loads through the link carries it without the app's help. It reads
that one app's preview until it expires, and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from appwright.files.validation import RESERVED_PREFIX


def _signature(secret: str, app_id: str, expires: int) -> str:
    digest = hmac.new(secret.encode(), f"preview:{app_id}:{expires}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode().rstrip("=")


def make_credential(secret: str, app_id: str, ttl: int, now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + ttl)
    return f"{expires}.{_signature(secret, app_id, expires)}"


def check_credential(secret: str, app_id: str, credential: str, now: float | None = None) -> bool:
    expires_text, _, signature = credential.partition(".")
    if not expires_text.isdigit() or not signature:
        return False
    expires = int(expires_text)
    if expires < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(signature, _signature(secret, app_id, expires))


def link_path(app_id: str, credential: str) -> str:
    return f"/preview/{app_id}/{RESERVED_PREFIX}{credential}/"
