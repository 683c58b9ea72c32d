/**
 * Model usage in words: token counts, costs, and how full the context window is.
 *
 * A cost the server cannot price (`cost_usd` null: the model's price is unknown) reads as
 * "unknown", never as $0. Adding usages keeps that: one unpriced call makes the sum unknown,
 * as the server's own totals do.
 */
import type { RunUsage } from "../generated/events";

export type { RunUsage };

export const noUsage: RunUsage = {
  input_tokens: 0,
  output_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  cost_usd: 0,
};

export function addUsage(a: RunUsage, b: RunUsage): RunUsage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_read_tokens: a.cache_read_tokens + b.cache_read_tokens,
    cache_write_tokens: a.cache_write_tokens + b.cache_write_tokens,
    cost_usd: a.cost_usd == null || b.cost_usd == null ? null : a.cost_usd + b.cost_usd,
  };
}

/** Every token the usage counts: prompt (fresh, cached, cache-written) and output. */
export function totalTokens(u: RunUsage): number {
  return u.input_tokens + u.output_tokens + u.cache_read_tokens + u.cache_write_tokens;
}

/** 850, 12.4k, 200k, 1.2M. */
export function formatTokens(n: number): string {
  const short = (value: number, unit: string) => `${value.toFixed(1).replace(/\.0$/, "")}${unit}`;
  if (n < 1000) return String(Math.round(n));
  if (n < 999_950) return short(n / 1000, "k");
  return short(n / 1_000_000, "M");
}

/**
 * Dollars: cents from a dollar up; below, two significant digits (a run often costs less
 * than a cent), with no trailing zero past the cents ($0.09, $0.042, $0.0042).
 */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0.00";
  if (usd < 0.0001) return "< $0.0001";
  if (usd < 1) return `$${usd.toPrecision(2).replace(/(\.\d\d\d*?)0+$/, "$1")}`;
  return `$${usd.toFixed(2)}`;
}

/** A cost as shown: "unknown" when the model's price is not known. */
export function costLabel(usd: number | null | undefined): string {
  return usd == null ? "unknown" : formatUsd(usd);
}

/** The tokens behind a cost, every kind named (cache reads are what caching saves). */
export function tokenBreakdown(u: RunUsage): string {
  const n = (v: number) => v.toLocaleString("en-US");
  return (
    `${n(u.input_tokens)} input · ${n(u.output_tokens)} output · ` +
    `${n(u.cache_read_tokens)} cache read · ${n(u.cache_write_tokens)} cache write tokens`
  );
}

// ---- the context window ---------------------------------------------------------------------

export type MeterLevel = "ok" | "near" | "full";

/** From here the meter warns; the conversation is condensed before it would not fit. */
export const NEAR_FRACTION = 0.7;
export const FULL_FRACTION = 0.9;

export function meterLevel(tokens: number, window: number): MeterLevel {
  const used = window > 0 ? tokens / window : 1;
  if (used >= FULL_FRACTION) return "full";
  if (used >= NEAR_FRACTION) return "near";
  return "ok";
}

/** "12.4k of 32k tokens (39%)". */
export function meterText(tokens: number, window: number): string {
  const percent = window > 0 ? Math.min(100, Math.round((tokens / window) * 100)) : 100;
  return `${formatTokens(tokens)} of ${formatTokens(window)} tokens (${percent}%)`;
}

/** The notice a `context.compacted` event gets in the chat. */
export function compactedText(before: number, after: number): string {
  return `Older parts of the conversation were condensed to fit: ${formatTokens(before)} → ${formatTokens(after)} tokens`;
}
