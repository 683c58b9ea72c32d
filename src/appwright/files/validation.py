"""The one place a file path or a file's content is accepted or refused.

Every way into the store (HTTP, tools, CLI import, undo) passes through here, so a path the
store holds is always relative, normalised and printable, and a file is always UTF-8 text
within the size limits. Each refusal has its own code.

A path is NFC-normalised ("é" composed or as "e" + U+0301 is one name), and refused when it
holds a character that makes two names look alike or hides what a name is: control and
line-break characters, bidirectional overrides and isolates (U+202E can show "gpj.exe" as
"exe.jpg"), zero-width and other invisible format characters, and code points Unicode has
not assigned (and so no font draws).
"""

from __future__ import annotations

import re
import unicodedata

from appwright import text as text_rule
from appwright.errors import InvalidInput

# Preview links carry their credential under this prefix, so no app file may start with it.
RESERVED_PREFIX = ".appwright/"
# C0, DEL, C1, and the line and paragraph separators (U+2028, U+2029).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DRIVE = re.compile(r"^[A-Za-z]:")


def _refuse_hidden_characters(path: str) -> None:
    for char in path:
        if char.isascii():
            continue
        category = unicodedata.category(char)
        if char in _BIDI:
            raise InvalidInput(
                f"File paths cannot contain bidirectional control characters (U+{ord(char):04X}).",
                code="path_bidi_char",
            )
        if category == "Cf":
            raise InvalidInput(
                f"File paths cannot contain invisible characters (U+{ord(char):04X}).",
                code="path_invisible_char",
            )
        if category == "Cn":
            raise InvalidInput(
                f"File paths cannot contain unassigned code points (U+{ord(char):04X}).",
                code="path_unassigned_char",
            )


def validate_path(path: object, *, max_length: int = 255) -> str:
    """The normalised form of `path`, or InvalidInput with a code saying what is wrong."""
    if not isinstance(path, str) or not path.strip():
        raise InvalidInput("A file path is required.", code="path_empty")
    if _CONTROL.search(path):
        raise InvalidInput(
            "File paths cannot contain control or line-break characters.",
            code="path_control_char",
        )
    path = text_rule.name(path, "The file path", code="path_invalid_text")
    _refuse_hidden_characters(path)
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
    if "\x00" in content:
        raise InvalidInput(
            f"{path} looks like a binary file; only text files are kept.", code="not_text"
        )
    text_rule.check(content, path, code="not_text")
    size = len(content.encode("utf-8"))
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
