"""The tools the model may call: names, input schemas, and what kind of work each does.

Inputs are validated here, against the same pydantic models the schemas sent to the model
are generated from, so what the model was told and what is enforced cannot drift apart.
A call whose input does not validate becomes an error result that says what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from appwright.errors import ToolError
from appwright.models.types import INVALID_JSON, INVALID_TEXT, ToolSpec


class ToolKind(Enum):
    READ = "read"  # no side effect: may start while the model is still streaming
    EDIT = "edit"  # changes files: applied once the model's message is complete
    SEARCH = "search"  # no side effect, slow, under the web search timeout


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GetCurrentCode(_Input):
    filepath: str = Field(description="Path of the file to read, relative to the app root.")
    offset: int = Field(
        default=1, ge=1, description="First line to show (1-based); to read on in a big file."
    )
    limit: int | None = Field(
        default=None, ge=1, description="How many lines to show at most (default: the window)."
    )


class EditSpec(_Input):
    old_code: str = Field(
        description="Text to replace, copied from the file; it must fit one place."
    )
    new_code: str = Field(description="The text that replaces old_code.")


class ApplyEdit(_Input):
    filepath: str = Field(description="Path of the file to change, relative to the app root.")
    old_code: str | None = Field(
        default=None,
        description="Text to replace, copied from the file without the line numbers; it must "
        "fit exactly one place. Empty to write the whole file (creating it if needed).",
    )
    new_code: str | None = Field(default=None, description="The text that replaces old_code.")
    edits: list[EditSpec] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="Instead of old_code/new_code: several edits to this file, applied in "
        "order, all or nothing.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> ApplyEdit:
        single = self.old_code is not None or self.new_code is not None
        if single == (self.edits is not None):
            raise ValueError("give either old_code and new_code, or edits")
        if single and (self.old_code is None or self.new_code is None):
            raise ValueError("old_code and new_code go together")
        return self

    def specs(self) -> list[EditSpec]:
        if self.edits is not None:
            return self.edits
        assert self.old_code is not None and self.new_code is not None
        return [EditSpec(old_code=self.old_code, new_code=self.new_code)]


class DeleteFile(_Input):
    filepath: str = Field(description="Path of the file to delete, relative to the app root.")


class RenameFile(_Input):
    source: str = Field(alias="from", description="Path of the file to rename or move.")
    target: str = Field(alias="to", description="Its new path; no file may be there yet.")


class SearchCode(_Input):
    pattern: str = Field(
        min_length=1,
        max_length=1000,
        description="A regular expression (Python syntax), matched line by line; (?i) "
        "ignores case.",
    )
    path_glob: str | None = Field(
        default=None,
        description="Only files whose path matches this glob, e.g. '*.css' or 'js/**/*.js'.",
    )


FileOp = ApplyEdit | DeleteFile | RenameFile


class ListFiles(_Input):
    pass


class WebSearch(_Input):
    query: str = Field(min_length=1, description="What to search the web for.")
    num_results: int = Field(default=3, ge=1, le=5, description="How many results (1-5).")


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    input_model: type[_Input]
    kind: ToolKind

    def spec(self) -> ToolSpec:
        schema = self.input_model.model_json_schema()
        return ToolSpec(
            name=self.name,
            description=self.description,
            input_schema=_plain_schema(schema, schema.pop("$defs", {})),
        )


def _plain_schema(node: Any, defs: dict[str, Any]) -> Any:
    """The schema as models read it best: no titles, no references, and an optional field
    given as its own type rather than "that type or null"."""
    if isinstance(node, list):
        return [_plain_schema(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _plain_schema(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    options = node.get("anyOf")
    if options and node.get("default", ...) is None and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        if len(rest) == 1:
            node = {**{k: v for k, v in node.items() if k not in ("anyOf", "default")}, **rest[0]}
    return {k: _plain_schema(v, defs) for k, v in node.items() if k != "title"}


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool(
            "get_current_code",
            "Read one of the app's files, as numbered lines (`12→text`; the number and the "
            "arrow are not part of the file). A big file comes a window at a time: the "
            "answer says when it stops early and which offset reads on.",
            GetCurrentCode,
            ToolKind.READ,
        ),
        Tool(
            "apply_edit",
            "Change one file: replace old_code, which must fit exactly one place, with "
            "new_code. Small slips in old_code (indentation, blanks at line ends, line "
            "endings, curly quotes) are tolerated when they leave only one place; the answer "
            "says how it matched. Several changes to one file: pass them as edits, applied in "
            "order, all or nothing. With an empty old_code, new_code becomes the whole file "
            "(creating it if needed).",
            ApplyEdit,
            ToolKind.EDIT,
        ),
        Tool(
            "delete_file",
            "Delete one of the app's files.",
            DeleteFile,
            ToolKind.EDIT,
        ),
        Tool(
            "rename_file",
            "Rename or move one of the app's files (its content unchanged). Update the "
            "references to it with apply_edit.",
            RenameFile,
            ToolKind.EDIT,
        ),
        Tool(
            "list_files",
            "List the app's files with their sizes; binary files (images, fonts) are marked "
            "with their type.",
            ListFiles,
            ToolKind.READ,
        ),
        Tool(
            "search_code",
            "Search the app's text files with a regular expression; answers `path:line: text` "
            "lines (a capped number, and says so when capped). Use it to find where "
            "something is before reading whole files.",
            SearchCode,
            ToolKind.READ,
        ),
        Tool(
            "web_search",
            "Search the web; returns titles, URLs and excerpts.",
            WebSearch,
            ToolKind.SEARCH,
        ),
    )
}


def tool_specs() -> tuple[ToolSpec, ...]:
    return tuple(tool.spec() for tool in TOOLS.values())


def kind_of(name: str) -> ToolKind:
    tool = TOOLS.get(name)
    return tool.kind if tool else ToolKind.READ


def parse_input(name: str, raw: dict[str, Any]) -> _Input:
    tool = TOOLS.get(name)
    if tool is None:
        raise ToolError(
            f"There is no tool named {name!r}. Available: {', '.join(TOOLS)}.", code="unknown_tool"
        )
    if INVALID_JSON in raw:
        raise ToolError(f"The input for {name} was not valid JSON.", code="invalid_tool_input")
    if INVALID_TEXT in raw:
        raise ToolError(
            f"The input for {name} was refused: it contains {raw[INVALID_TEXT]}. "
            "Send it again as valid Unicode text without NUL characters.",
            code="invalid_tool_input",
        )
    try:
        return tool.input_model.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'input'}: "
            f"{e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
        raise ToolError(
            f"Invalid input for {name}: {problems}", code="invalid_tool_input"
        ) from None
