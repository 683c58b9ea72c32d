import { useEffect, useRef } from "react";
import { listen } from "../lib/tracked";

function inEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.closest) return false;
  return !!el.closest("input, textarea, [contenteditable], .monaco-editor");
}

/**
 * App-level undo/redo: Ctrl/⌘+Alt+Z and Ctrl/⌘+Alt+Shift+Z anywhere; plain Ctrl/⌘+Z,
 * Ctrl/⌘+Shift+Z and Ctrl+Y too when the focus is not in a text field or the editor
 * (where they undo typing locally).
 */
export function useUndoShortcuts(onUndo: () => void, onRedo: () => void): void {
  const handlers = useRef({ onUndo, onRedo });
  handlers.current = { onUndo, onRedo };
  useEffect(
    () =>
      listen(window, "keydown", (e) => {
        if (!(e.ctrlKey || e.metaKey)) return;
        const z = e.code === "KeyZ";
        const y = e.code === "KeyY" && !e.shiftKey;
        if (!z && !y) return;
        if (!e.altKey && inEditable(e.target)) return;
        e.preventDefault();
        if (y || e.shiftKey) handlers.current.onRedo();
        else handlers.current.onUndo();
      }),
    [],
  );
}
