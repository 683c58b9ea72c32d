"""The one error type of the git layer, and what each of its codes means.

    GitError(AppwrightError)
      remote_unreachable   no connection, no such host, no git repository answering there
      remote_not_public    the host resolves to an address remotes may not reach (git/reach.py)
      insecure_remote      http:// to a host not allowed it, or a token over plain http
      local_remote_not_allowed  a local path or file:// URL where those are not allowed
      auth_refused         the remote refused the credentials (401/403)
      non_fast_forward     the remote branch has commits we do not have; it was left alone
      push_timed_out       the push did not finish within its deadline
      push_failed          the remote rejected the push (a hook, a protected branch, ...)
      fetch_timed_out      fetch_tip / import_tip did not finish within its deadline
      branch_not_found     the remote has no such branch (import_tip)
      invalid_remote       a URL form we do not speak (ssh, scp-like, git://, garbage)
      invalid_path         a file path that cannot be a git tree entry
      unknown_commit       read_tree of a sha the repository does not have
      commit_timed_out     a local repository operation did not finish within its deadline
      commit_failed        any other local repository failure
      history_mismatch     rebuilding the repository from the database gave another sha

Messages are built from our own words plus the remote's URL with any credentials removed.
They say only that the remote is unreachable, refused the credentials, or rejected the
push: nothing of what answered (a status, a banner, a TLS error), so that a remote cannot
be used to probe which ports of which hosts are open. The details go to the server log,
scrubbed, for the operator.
`retryable` tells the outbox whether backing off and trying again can help: a refused
token or a diverged remote needs a person, a flaky network does not.
"""

from __future__ import annotations

from typing import Any

from appwright.errors import AppwrightError

REMOTE_UNREACHABLE = "remote_unreachable"
REMOTE_NOT_PUBLIC = "remote_not_public"
INSECURE_REMOTE = "insecure_remote"
LOCAL_REMOTE_NOT_ALLOWED = "local_remote_not_allowed"
AUTH_REFUSED = "auth_refused"
NON_FAST_FORWARD = "non_fast_forward"
PUSH_TIMED_OUT = "push_timed_out"
PUSH_FAILED = "push_failed"
FETCH_TIMED_OUT = "fetch_timed_out"
BRANCH_NOT_FOUND = "branch_not_found"
INVALID_REMOTE = "invalid_remote"
INVALID_PATH = "invalid_path"
UNKNOWN_COMMIT = "unknown_commit"
COMMIT_TIMED_OUT = "commit_timed_out"
COMMIT_FAILED = "commit_failed"
HISTORY_MISMATCH = "history_mismatch"

# Codes where waiting and trying again can succeed without anyone changing anything.
RETRYABLE_CODES = frozenset(
    {
        REMOTE_UNREACHABLE,
        PUSH_TIMED_OUT,
        PUSH_FAILED,
        FETCH_TIMED_OUT,
        COMMIT_TIMED_OUT,
        COMMIT_FAILED,
    }
)

# When one of these reaches an HTTP answer (e.g. `app create --from-git`): the remote the
# caller named is unusable, which is their input (422), except a diverged remote (409) and
# an unknown sha (404). CONTRACT.md says a 5xx is a bug, so none of these is one.
_STATUS = {NON_FAST_FORWARD: 409, UNKNOWN_COMMIT: 404}


class GitError(AppwrightError):
    status = 422
    default_code = PUSH_FAILED

    def __init__(self, message: str, *, code: str, **data: Any) -> None:
        super().__init__(message, code=code, **data)
        self.status = _STATUS.get(code, type(self).status)

    @property
    def retryable(self) -> bool:
        return self.code in RETRYABLE_CODES
