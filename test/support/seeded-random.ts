// A small seeded random source for property tests: the same seed gives the same choices on
// every machine, so a failing seed printed by a run reproduces exactly.

/** mulberry32: tiny, seedable, good enough to pick test inputs (not for anything secret). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  private readonly next: () => number;

  /** `stream` separates independent uses of one seed (edits, rows of step 3, ...). */
  constructor(seed: number, stream = 0) {
    this.next = mulberry32(Math.imul(seed, 2654435761) ^ Math.imul(stream + 1, 40503));
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    if (list.length === 0) throw new Error('Random.pick: the list is empty');
    return list[Math.floor(this.next() * list.length)];
  }

  /** One of `choices`, each as likely as its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let left = this.next() * total;
    for (const [choice, weight] of choices) {
      left -= weight;
      if (left < 0) return choice;
    }
    return choices[choices.length - 1][0];
  }

  shuffle<T>(list: readonly T[]): T[] {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }

  /** Lower-case letters, `min` to `max` of them. */
  word(min: number, max: number): string {
    return Array.from({ length: this.int(min, max) }, () => String.fromCharCode(97 + this.int(0, 25))).join('');
  }
}
