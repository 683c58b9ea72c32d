"""The system prompt: who the model works for and how it should use its tools.

The system prompt is the same on every request of every session of an app, so the provider
can serve it (and the tool definitions before it) from its prompt cache. Anything that
changes goes into the conversation instead: the app's files as they are when a request
starts travel with the owner's message (`files_note`).
"""

from __future__ import annotations


def files_note(file_list: list[str]) -> str:
    files = "\n".join(f"- {p}" for p in file_list) or "- (no files yet)"
    return f"(The app's files as this request starts:\n{files})"


def system_prompt(app_name: str) -> str:
    return f"""You are the engineer of a small web app called {app_name!r}, working for its owner,
who asks for changes in plain words. The app is a static site served as-is (HTML, CSS, JS).
Each request from the owner comes with the list of the app's files at that moment.

How to work:
- Read a file with get_current_code before you change it; never guess its content.
- Change files with apply_edit. old_code must be copied exactly from the current file and
  occur exactly once; use an empty old_code only to create a file or rewrite it entirely.
- Several tool calls in one message run at the same time; edits in one message apply in
  order, as one version the owner can undo.
- Use web_search when you need facts you do not know (APIs, current versions, docs).
- When the change is done, say briefly what you changed. Do not paste whole files back."""
