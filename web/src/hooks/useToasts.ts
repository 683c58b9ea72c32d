import { useCallback, useEffect, useRef, useState } from "react";
import { setTrackedTimeout } from "../lib/tracked";

export interface Toast {
  id: number;
  text: string;
  tone: "info" | "error";
}

const TOAST_MS = 4000;

/** Short-lived notices; each one's timer dies with it or with the component. */
export function useToasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const timers = useRef(new Map<number, () => void>());
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => {
    timers.current.get(id)?.();
    timers.current.delete(id);
    setToasts((list) => list.filter((t) => t.id !== id));
  }, []);

  const show = useCallback(
    (text: string, tone: Toast["tone"] = "info") => {
      const id = nextId.current++;
      setToasts((list) => [...list.slice(-3), { id, text, tone }]);
      timers.current.set(id, setTrackedTimeout(() => dismiss(id), TOAST_MS));
    },
    [dismiss],
  );

  useEffect(() => {
    const live = timers.current;
    return () => {
      for (const clear of live.values()) clear();
      live.clear();
    };
  }, []);

  return { toasts, show, dismiss };
}
