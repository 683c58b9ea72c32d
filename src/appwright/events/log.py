"""Kept only so that `git/outbox.py` (being reworked) imports the app log's name where it
always did; everything else names logs through `log_names.py`, and appends to them through
`journal/`. Delete once the outbox adopts the journal."""

from appwright.log_names import app_log, session_log

__all__ = ["app_log", "session_log"]
