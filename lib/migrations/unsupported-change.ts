/** A change the differ will not generate, with what to do instead. */
export class UnsupportedChange extends Error {}
