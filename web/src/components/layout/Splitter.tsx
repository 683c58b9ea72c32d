import { useRef } from "react";
import { clamp, handleKey } from "../../lib/layout";

interface Props {
  /** What it resizes, for screen readers ("Resize the chat"). */
  label: string;
  /** The resized pane's width. */
  value: number;
  range: { min: number; max: number };
  /** +1: dragging right widens the pane (it is on the left); -1: the pane is on the right. */
  direction: 1 | -1;
  onChange: (value: number) => void;
  onReset: () => void;
  testId: string;
}

/**
 * A drag handle between two panes: a focusable `separator` that the pointer drags (captured,
 * so moving over the preview's iframe keeps dragging) and the keyboard moves (arrows, Shift
 * for bigger steps, Home/End, Enter or a double click for the default size).
 */
export function Splitter({ label, value, range, direction, onChange, onReset, testId }: Props) {
  const drag = useRef<{ x: number; value: number } | null>(null);
  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuenow={value}
      aria-valuemin={range.min}
      aria-valuemax={range.max}
      tabIndex={0}
      data-testid={testId}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { x: e.clientX, value };
      }}
      onPointerMove={(e) => {
        const start = drag.current;
        if (start) onChange(clamp(start.value + direction * (e.clientX - start.x), range));
      }}
      onPointerUp={() => (drag.current = null)}
      onLostPointerCapture={() => (drag.current = null)}
      onDoubleClick={onReset}
      onKeyDown={(e) => {
        const key = handleKey(e.key, e.shiftKey);
        if (!key) return;
        e.preventDefault();
        if ("move" in key) onChange(clamp(value + direction * key.move, range));
        else if (key.to === "default") onReset();
        else onChange(range[key.to]);
      }}
    />
  );
}
