"""The tools the model may call: names, input schemas, and what kind of work each does.

Inputs are validated here, against the same pydantic models the schemas sent to the model
are generated from, so what the model was told and what is enforced cannot drift apart.
A call whose input does not validate becomes an error result that says what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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


class ApplyEdit(_Input):
    filepath: str = Field(description="Path of the file to change, relative to the app root.")
    old_code: str = Field(
        description="Exact text to replace; it must occur exactly once in the file. "
        "Empty to write the whole file (creating it if needed)."
    )
    new_code: str = Field(description="The text that replaces old_code.")


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
        schema.pop("title", None)
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
        return ToolSpec(name=self.name, description=self.description, input_schema=schema)


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool(
            "get_current_code",
            "Read the current content of one of the app's files.",
            GetCurrentCode,
            ToolKind.READ,
        ),
        Tool(
            "apply_edit",
            "Change one file by replacing old_code (which must occur exactly once) with "
            "new_code. With an empty old_code, new_code becomes the whole file. Several "
            "edits in one message apply in order, as one version.",
            ApplyEdit,
            ToolKind.EDIT,
        ),
        Tool("list_files", "List the app's files with their sizes.", ListFiles, ToolKind.READ),
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
            f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in error.errors()
        )
        raise ToolError(
            f"Invalid input for {name}: {problems}", code="invalid_tool_input"
        ) from None
