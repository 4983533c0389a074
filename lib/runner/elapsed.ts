// How the runner's lines say how long something has lasted: `0.3 s`, `42 s`, `930 s`. Seconds
// alone, so a line reads the same at any length and a script can compare it.

/** `ms` as seconds: one decimal under 10 s, whole seconds from then on. */
export function elapsedText(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  return seconds < 10 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`;
}
