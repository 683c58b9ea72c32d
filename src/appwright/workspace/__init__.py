"""Vendors, apps and their files: the operations every entry point shares (`service`), and
the ones built on them: moving a file, restoring a version (`moves`, `restore`), and an
app's life from the page (`lifecycle`)."""

from appwright.workspace.service import Snapshot, Workspace

__all__ = ["Snapshot", "Workspace"]
