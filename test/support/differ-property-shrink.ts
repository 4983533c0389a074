// Shrinking a failing case of the differ's property: replays the recorded edits leaving out
// earlier steps, then parts of the failing edit, keeping each removal while the case still
// fails the same way (same phase and SQLSTATE). What is left is the minimal model edit to
// report: the setup it needs and the one change the differ gets wrong.
import { describeFailure, Failure, PropertySetup, replayCase, signatureOf } from './differ-property';
import { describeEdit } from './edit-words';
import { Edit } from './model-edits';

export interface Shrunk {
  readonly edits: readonly Edit[];
  readonly failure: Failure;
  /** Replays spent. */
  readonly runs: number;
}

const DOWN_PHASES = new Set(['down', 'catalog after down']);

export async function shrink(db: PropertySetup, original: Failure, edits: readonly Edit[], maxRuns = 80): Promise<Shrunk> {
  const signature = signatureOf(original);
  let best = { edits: [...edits], failure: original };
  let runs = 0;
  const attempt = async (candidate: Edit[]): Promise<boolean> => {
    if (runs >= maxRuns) return false;
    runs += 1;
    const result = await replayCase(db, original.seed, candidate);
    if (!result.failure || signatureOf(result.failure) !== signature) return false;
    best = { edits: candidate, failure: result.failure };
    return true;
  };

  // Steps after a failing up never ran; a failing down ran every later down first, so they stay candidates.
  if (!DOWN_PHASES.has(original.phase) && original.step < best.edits.length) await attempt(best.edits.slice(0, original.step));
  for (let changed = true; changed && runs < maxRuns; ) {
    changed = false;
    for (let i = 0; i < best.edits.length && runs < maxRuns; ) {
      if (best.edits.length > 1 && (await attempt(best.edits.filter((_, k) => k !== i)))) changed = true;
      else i += 1;
    }
    // Then the failing edit's own parts, one at a time.
    const at = best.failure.step - 1;
    const failing = best.edits[at];
    for (let part = 0; failing && part < failing.parts.length && failing.parts.length > 1 && runs < maxRuns; part++) {
      const smaller: Edit = { kind: failing.kind, parts: failing.parts.filter((_, k) => k !== part) };
      if (await attempt(best.edits.map((e, k) => (k === at ? smaller : e)))) {
        changed = true;
        break;
      }
    }
  }
  return { ...best, runs };
}

/** The report of a shrunk failure: the minimal sequence, the failing step marked. */
export function describeShrunk(shrunk: Shrunk, originalSteps: number): string[] {
  const { failure, edits } = shrunk;
  return [
    ...describeFailure(failure),
    `  minimal sequence (${edits.length} of ${originalSteps} edits, ${shrunk.runs} replays; replay it with replayCase):`,
    ...edits.map((edit, i) => `    ${i + 1}. ${describeEdit(edit)}${i + 1 === failure.step ? '   <-- fails here' : ''}`),
  ];
}
