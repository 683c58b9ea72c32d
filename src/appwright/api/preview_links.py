"""Preview link credentials: `<expiry>.<signature>` over the app id, HMAC-SHA256.

The credential sits in the link's path (`/preview/<app>/.appwright/<cred>/`) because a
sandboxed preview document sends no cookies and its relative URLs keep the path: every page,
style and script the app loads through the link carries it without the app's help. It reads
that one app's preview until it expires, and nothing else.

A link to an old version (`<expiry>.<signature>.<version id>`, the version inside the
signature) reads that version's files only, read-only: the restore view shows it before the
vendor confirms.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from appwright.files.validation import RESERVED_PREFIX


def _signature(secret: str, app_id: str, expires: int, version: str | None = None) -> str:
    scope = f"preview:{app_id}:{expires}" + (f":{version}" if version else "")
    digest = hmac.new(secret.encode(), scope.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode().rstrip("=")


def make_credential(
    secret: str, app_id: str, ttl: int, now: float | None = None, version: str | None = None
) -> str:
    expires = int((now if now is not None else time.time()) + ttl)
    signed = f"{expires}.{_signature(secret, app_id, expires, version)}"
    return f"{signed}.{version}" if version else signed


def credential_version(credential: str) -> str | None:
    """The version a link shows (None: the app as it is now)."""
    parts = credential.split(".")
    return parts[2] if len(parts) == 3 and parts[2] else None


def check_credential(secret: str, app_id: str, credential: str, now: float | None = None) -> bool:
    expires_text, _, signature = credential.partition(".")
    signature, _, version = signature.partition(".")
    if not expires_text.isdigit() or not signature:
        return False
    expires = int(expires_text)
    if expires < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(signature, _signature(secret, app_id, expires, version or None))


def link_path(app_id: str, credential: str) -> str:
    return f"/preview/{app_id}/{RESERVED_PREFIX}{credential}/"
