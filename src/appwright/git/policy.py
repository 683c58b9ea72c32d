"""What the outbox accepts as a remote, how it keeps the remote's token, and what it
writes as a commit message.

Kept apart from the worker so the rules can be read (and changed) in one place: which
remote URLs, tokens and branches are allowed, and how a version is described in git.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from dulwich.refs import Ref, check_ref_format

from appwright.errors import InvalidInput
from appwright.git.errors import INSECURE_REMOTE, INVALID_REMOTE
from appwright.git.reach import RemotePolicy
from appwright.git.transport import parse_remote
from appwright.ops.secret_files import secret_in_file

_LABELS = {
    "initial": "Initial version",
    "manual": "Manual edit",
    "ai": "AI edit",
    "undo": "Undo",
    "redo": "Redo",
    "revert": "Revert",
}


def check_remote(url: Any, token: Any, branch: Any, *, policy: RemotePolicy) -> tuple[str, str]:
    """Validate a remote's form; returns the (url, branch) to store. Raises 422s with
    codes. Its host's addresses are checked apart (`RemotePolicy.check_reach`): that
    needs a lookup. Messages never quote the URL or the token: either may carry a secret."""
    if not isinstance(url, str) or not url.strip() or len(url) > 2000:
        raise InvalidInput(
            "`url` must be a git URL of at most 2000 characters.", code=INVALID_REMOTE
        )
    if token is not None and (
        not isinstance(token, str) or len(token) > 4096 or any(c.isspace() for c in token)
    ):
        raise InvalidInput(
            "`token` must be one line of text without spaces.", code="invalid_token_format"
        )
    branch = "main" if branch is None else branch
    if (
        not isinstance(branch, str)
        or not branch
        or len(branch) > 200
        or not check_ref_format(Ref(b"refs/heads/" + branch.encode("utf-8", "replace")))
    ):
        raise InvalidInput("`branch` is not a valid git branch name.", code="invalid_branch")
    url = url.strip()
    endpoint = parse_remote(url, token or None)  # GitError invalid_remote (422)
    if endpoint.kind == "http":
        parts = urlsplit(url)
        if parts.username is not None or parts.password is not None:
            # Kept out of the URL so that GET /remote can show the URL as it is.
            raise InvalidInput(
                "Put credentials in `token`, not in the URL.", code="credentials_in_url"
            )
        if (
            parts.scheme.lower() == "http"
            and token
            and not policy.is_local_host(parts.hostname or "")
        ):
            raise InvalidInput(
                "A token may only be sent over https:// (or to this machine).",
                code=INSECURE_REMOTE,
            )
    # A local path on the server's own disk: anyone could make us write into any
    # repository the service can reach, so only test and single-user setups allow it.
    policy.check_form(endpoint)
    return url, branch


def commit_message(source: str, message: str, paths: list[str]) -> str:
    """The commit's message: what made the version and, for an AI edit, what was asked
    (the request as stored on the version, on one line, trimmed)."""
    label = _LABELS.get(source, source.capitalize() or "Update")
    text = " ".join(message.split())
    if source == "ai":
        request = text if len(text) <= 500 else text[:499] + "…"
        subject = request if len(request) <= 60 else request[:59] + "…"
        body = f"\n\nRequest: {request}" if subject != request else ""
        return f"{label}: {subject}{body}" if request else label
    if source == "manual":
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        return f"{label}: {shown}" if shown else label
    if source == "initial":
        return label
    return text[:200] or label  # undo / redo / revert: "Undo version 3", ...


class TokenSeal:
    """Remote tokens are stored sealed, so the raw token is in no SQL statement (drivers
    log parameters at DEBUG), no backup and no dump of the `remotes` table.

    Encrypt-then-MAC from HMAC-SHA256 alone (the standard library has no cipher): the
    keystream is HMAC(k_enc, nonce || counter), the tag HMAC(k_mac, app || nonce || data),
    so a sealed token cannot be moved to another app's row. Both keys derive from the
    service's secret key; if that key changes, `open` returns None and the vendor sets the
    token again.
    """

    _PREFIX = "s1:"

    def __init__(self, secret_key: str) -> None:
        master = secret_key.encode()
        self._enc = hmac.digest(master, b"appwright remote token: encrypt", "sha256")
        self._mac = hmac.digest(master, b"appwright remote token: mac", "sha256")

    def seal(self, app_id: str, token: str) -> str:
        nonce = secrets.token_bytes(16)
        data = self._xor(nonce, token.encode())
        tag = self._tag(app_id, nonce, data)
        return self._PREFIX + base64.urlsafe_b64encode(nonce + data + tag).decode()

    def open(self, app_id: str, sealed: str | None) -> str | None:
        if not sealed or not sealed.startswith(self._PREFIX):
            return None
        try:
            raw = base64.urlsafe_b64decode(sealed[len(self._PREFIX) :])
        except ValueError:
            return None
        nonce, data, tag = raw[:16], raw[16:-16], raw[-16:]
        if len(raw) < 32 or not hmac.compare_digest(tag, self._tag(app_id, nonce, data)):
            return None
        return self._xor(nonce, data).decode("utf-8", "replace")

    def _tag(self, app_id: str, nonce: bytes, data: bytes) -> bytes:
        message = app_id.encode() + b"\0" + nonce + data
        return hmac.digest(self._mac, message, "sha256")[:16]

    def _xor(self, nonce: bytes, data: bytes) -> bytes:
        stream = b"".join(
            hmac.digest(self._enc, nonce + i.to_bytes(4, "big"), "sha256")
            for i in range(len(data) // 32 + 1)
        )
        return bytes(a ^ b for a, b in zip(data, stream, strict=False))


def secret_key_of(settings: Any) -> str:
    """The service's secret key as Runtime resolves it: the setting, else the key file it
    keeps under the data dir (created here if Runtime has not made it yet)."""
    configured = getattr(settings, "secret_key", None)
    if configured is not None:
        return str(configured.get_secret_value())
    return secret_in_file(settings.data_dir / "secret.key")
