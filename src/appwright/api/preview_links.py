"""Preview link credentials: `<expiry>.<signature>` over the app id, HMAC-SHA256.

A link carries the credential in its path (`<app root>/.appwright/<cred>/`). On a preview
origin of its own, that path trades it for an HttpOnly cookie of that origin (scoped to the
app's root) and sends the browser on to the app: its pages, styles, scripts and fetches
then load with clean URLs, and the app's scripts never see the credential. It reads that
one app's preview until it expires, and nothing else; the vendor's token is never taken
there.

A link to an old version (`<expiry>.<signature>.<version id>`, the version inside the
signature) reads that version's files only, read-only, through the workspace origin's
sandboxed path: the restore view shows it before the vendor confirms.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from appwright.errors import Unauthorized
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


def entry_path(credential: str) -> str:
    """The path, under an app's root on a preview origin, that trades the credential for a
    cookie of that origin and goes on to the app's root (or to the path after it)."""
    return f"/{RESERVED_PREFIX}{credential}/"


def invalid_link() -> Unauthorized:
    return Unauthorized(
        "This preview link is not valid or has expired: open the preview again from the workspace.",
        code="invalid_preview_link",
    )
