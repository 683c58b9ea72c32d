"""The one place a file path or a file's content is accepted or refused.

Every way into the store (HTTP, tools, CLI import, undo) passes through here, so a path the
store holds is always relative, normalised and printable, and a file is always UTF-8 text
within the size limits. Each refusal has its own code.
"""

from __future__ import annotations

import re

from appwright.errors import InvalidInput

# Preview links carry their credential under this prefix, so no app file may start with it.
RESERVED_PREFIX = ".appwright/"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")


def validate_path(path: object, *, max_length: int = 255) -> str:
    """The normalised form of `path`, or InvalidInput with a code saying what is wrong."""
    if not isinstance(path, str) or not path.strip():
        raise InvalidInput("A file path is required.", code="path_empty")
    if "\x00" in path or _CONTROL.search(path):
        raise InvalidInput(
            "File paths cannot contain control characters.", code="path_control_char"
        )
    if "\\" in path:
        raise InvalidInput("Use '/' to separate folders in a file path.", code="path_backslash")
    if path.startswith("/") or _DRIVE.match(path):
        raise InvalidInput(
            f"File paths are relative to the app; {path!r} is absolute.", code="path_absolute"
        )
    segments = [s for s in path.split("/") if s not in ("", ".")]
    if ".." in segments:
        raise InvalidInput(
            f"File paths cannot leave the app's folder; {path!r} contains '..'.",
            code="path_traversal",
        )
    if not segments or path.endswith("/"):
        raise InvalidInput(f"{path!r} names a folder, not a file.", code="path_is_folder")
    normalised = "/".join(segments)
    if any(s != s.strip() for s in segments):
        raise InvalidInput(
            "File and folder names cannot start or end with spaces.", code="path_whitespace"
        )
    if len(normalised.encode("utf-8")) > max_length:
        raise InvalidInput(
            f"File paths are limited to {max_length} bytes.", code="path_too_long", limit=max_length
        )
    if (normalised + "/").startswith(RESERVED_PREFIX):
        raise InvalidInput(
            f"Paths under {RESERVED_PREFIX!r} are reserved by appwright.", code="path_reserved"
        )
    if any(s.lower() == ".git" for s in segments):
        # Git refuses such a tree entry: the version could never be committed or pushed.
        raise InvalidInput(
            "'.git' is reserved by git: no file or folder of an app can have that name.",
            code="path_reserved",
        )
    return normalised


def validate_content(path: str, content: object, *, max_bytes: int) -> str:
    if not isinstance(content, str):
        raise InvalidInput(f"The content of {path} must be text.", code="not_text")
    try:
        size = len(content.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidInput(f"{path} is not valid UTF-8 text.", code="not_text") from None
    if "\x00" in content:
        raise InvalidInput(
            f"{path} looks like a binary file; only text files are kept.", code="not_text"
        )
    if size > max_bytes:
        raise InvalidInput(
            f"{path} is {size} bytes; files are limited to {max_bytes} bytes.",
            code="file_too_large",
            limit=max_bytes,
        )
    return content


def decode_text(path: str, raw: bytes, *, max_bytes: int) -> str:
    """Bytes read from disk or git as a file's text, refused like any other content."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text.", code="not_text") from None
    return validate_content(path, text, max_bytes=max_bytes)
