// A memo with a size limit: synth judges the same files for every environment, and a
// long-running process (tests, a watch) sees many versions of a file, so the oldest go first.
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly limit = 2000) {}

  /** The value for `key`, computed by `make` when absent. */
  get(key: string, make: () => V): V {
    if (this.entries.has(key)) return this.entries.get(key)!;
    const value = make();
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
    return value;
  }
}
