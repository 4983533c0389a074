// Command-line flags of the benchmarks: `--rows 3_000_000` and the like.

/** The whole number after `flag` in `args` (`_` and `,` allowed as separators), or `fallback` when the flag is absent. */
export function flagNumber(args: readonly string[], flag: string, fallback: number): number {
  const at = args.indexOf(flag);
  if (at < 0) return fallback;
  const parsed = Number(String(args[at + 1]).replace(/[_,]/g, ''));
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${flag} needs a whole number, got ${args[at + 1]}`);
  return parsed;
}
