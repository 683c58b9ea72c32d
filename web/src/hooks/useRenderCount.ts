import { useEffect } from "react";
import { counters } from "../lib/tracked";

/**
 * Counts the component's committed renders in `window.__appwright_debug.renders[name]`
 * (an effect, so a render React throws away is not counted).
 */
export function useRenderCount(name: string): void {
  useEffect(() => {
    counters.renders[name] = (counters.renders[name] ?? 0) + 1;
  });
}
