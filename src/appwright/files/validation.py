"""The one place a file path or a file's content is accepted or refused.

Every way into the store (HTTP, tools, CLI import, undo) passes through here, so a path the
store holds is always relative, normalised and printable, and a file is UTF-8 text or
bytes (files/content.py) within the size limits. Each refusal has its own code.

A path is NFC-normalised ("é" composed or as "e" + U+0301 is one name), and refused when it
holds a character that makes two names look alike or hides what a name is: control and
line-break characters, bidirectional overrides and isolates (U+202E can show "gpj.exe" as
"exe.jpg"), zero-width and other invisible format characters, and code points Unicode has
not assigned (and so no font draws).
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Mapping

from appwright import text as text_rule
from appwright.errors import InvalidInput
from appwright.files.content import FileContent, from_bytes, size_of

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


def validate_content(path: str, content: object, *, max_bytes: int) -> FileContent:
    """Text (`str`) or binary (`bytes`) content within the per-file limit. Bytes that are
    text become text (see files/content.py)."""
    if isinstance(content, bytes):
        content = from_bytes(content)
    elif not isinstance(content, str):
        raise InvalidInput(
            f'The content of {path} must be text, or {{"base64": ...}} for a binary file.',
            code="not_text",
        )
    elif "\x00" in content:
        raise InvalidInput(
            f'{path} looks like a binary file: send it as {{"base64": ...}}.', code="not_text"
        )
    else:
        text_rule.check(content, path, code="not_text")
    size = size_of(content)
    if size > max_bytes:
        raise InvalidInput(
            f"{path} is {size} bytes; files are limited to {max_bytes} bytes.",
            code="file_too_large",
            limit=max_bytes,
            path=path,
        )
    return content


def decode_value(path: str, value: object, *, max_bytes: int) -> FileContent:
    """A file's value as a request carries it: its text, or `{"base64": ...}` for a binary
    file (also accepted for text; bytes that are text become text)."""
    if isinstance(value, Mapping):
        if set(value) != {"base64"} or not isinstance(value["base64"], str):
            raise InvalidInput(
                f'The value of {path} must be text or {{"base64": "..."}}.',
                code="not_text",
                path=path,
            )
        encoded = value["base64"]
        # Refuse before decoding what could never fit: base64 holds 3 bytes per 4 characters.
        if len(encoded) > (max_bytes + 2) // 3 * 4 + 4:
            raise InvalidInput(
                f"{path} is over {max_bytes} bytes; files are limited to {max_bytes} bytes.",
                code="file_too_large",
                limit=max_bytes,
                path=path,
            )
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                f"The base64 value of {path} is not valid base64.",
                code="invalid_base64",
                path=path,
            ) from None
        return validate_content(path, raw, max_bytes=max_bytes)
    return validate_content(path, value, max_bytes=max_bytes)


def decode_text(path: str, raw: bytes, *, max_bytes: int) -> FileContent:
    """Bytes read from disk, git or an archive as a file's content (text or binary)."""
    return validate_content(path, raw, max_bytes=max_bytes)
