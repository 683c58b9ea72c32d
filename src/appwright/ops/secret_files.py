"""The one way a secret is kept in a file (the service's secret key, the admin token, the
local vendor's token): created readable by its owner only (0600) before a byte is written,
so there is no moment at which another user could read it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(value)


def secret_in_file(path: Path, nbytes: int = 32) -> str:
    """The secret kept in `path`, made (random, `nbytes` of entropy) on first use."""
    if not path.exists():
        write_secret(path, secrets.token_urlsafe(nbytes))
    return path.read_text().strip()
