"""The secrets every process of one deployment must share, and the check that they do.

- `APPWRIGHT_SECRET_KEY` signs preview links and seals the remotes' tokens in the database;
- `APPWRIGHT_ADMIN_TOKEN` may create vendors;
- the local vendor's token (in the link `serve` prints) is derived from the secret key, so
  every process prints the same link without keeping a file in common.

A lone process may leave the first two unset: it makes them once and keeps them in its data
dir. Processes on several machines have no data dir in common, so each would make its own,
and a preview link or a sealed token made by one would be refused by the others. So at
start every process compares a keyed fingerprint of each secret with the one the first
process recorded in the database (`store/fingerprints.py`), and refuses to start on a
mismatch, naming the setting to fix. The fingerprints are HMACs keyed by the secret key,
which is not in the database: they tell nothing a signed preview link does not already.
"""

from __future__ import annotations

import base64
import hmac

from appwright.errors import AppwrightError
from appwright.store import fingerprints
from appwright.store.database import Database

SECRET_KEY = "APPWRIGHT_SECRET_KEY"
ADMIN_TOKEN = "APPWRIGHT_ADMIN_TOKEN"


class SecretsMismatch(AppwrightError):
    status = 409
    default_code = "secrets_mismatch"


def fingerprints_of(secret_key: str, admin_token: str) -> dict[str, str]:
    key = hmac.digest(secret_key.encode(), b"appwright secret key fingerprint", "sha256")
    admin = hmac.digest(
        secret_key.encode(), b"appwright admin token fingerprint\0" + admin_token.encode(), "sha256"
    )
    return {SECRET_KEY: key.hex(), ADMIN_TOKEN: admin.hex()}


async def check_shared(db: Database, secret_key: str, admin_token: str) -> None:
    """Raise SecretsMismatch unless these are the secrets the other processes use (the
    first process to start on the database records them)."""
    given = fingerprints_of(secret_key, admin_token)
    wrong = await db.run(lambda conn: fingerprints.compare_or_record(conn, given))
    if not wrong:
        return
    # The admin token's fingerprint is keyed by the secret key: with another key it cannot
    # be compared, so only the key is named then.
    setting = SECRET_KEY if SECRET_KEY in wrong else ADMIN_TOKEN
    raise SecretsMismatch(
        f"{setting} is not the value the other processes on this database use. Set "
        f"{SECRET_KEY} and {ADMIN_TOKEN} to the same values on every process (a process "
        "that leaves them unset makes its own in its data dir). If the value is lost, run "
        "`appwright secrets reset` and restart every process with the new one: preview "
        "links already given stop working and remote tokens must be set again.",
        setting=setting,
    )


def local_vendor_token(secret_key: str) -> str:
    """The local vendor's token: the same on every process that shares the secret key."""
    digest = hmac.digest(secret_key.encode(), b"appwright local vendor token", "sha256")
    return "awv_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")
