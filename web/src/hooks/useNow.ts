import { useEffect, useState } from "react";
import { setTrackedInterval } from "../lib/tracked";

/** The current time, re-read every `ms` while `active` (an on-screen clock, not polling). */
export function useNow(active: boolean, ms = 100): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    return setTrackedInterval(() => setNow(Date.now()), ms);
  }, [active, ms]);
  return now;
}
