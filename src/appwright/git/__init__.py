"""Each app's own git repository, and pushing it to the app's remote (dulwich only).

AppRepository   the bare repository: one commit per version on `main`
push            `main` -> the remote's branch, never forced
fetch_tip       the sha of a remote branch
import_tip      the text files of a remote branch's tip (`app create --from-git`)
GitError        every failure, with a specific code (see `errors.py`)
"""

from appwright.git.errors import GitError
from appwright.git.remote import fetch_tip, import_tip, push
from appwright.git.repository import AppRepository, version_of
from appwright.git.transport import parse_remote

__all__ = [
    "AppRepository",
    "GitError",
    "fetch_tip",
    "import_tip",
    "parse_remote",
    "push",
    "version_of",
]
