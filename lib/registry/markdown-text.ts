// Text from the model or a person (a decision's title, a shared writer's reason) inside a line
// of generated Markdown: it stays on its line and reads as the words it is, never as markup.
import { HIDDEN_CHARACTER } from '../sql/hidden-characters';

// Line breaks, tabs and every character a reader cannot see (controls, bidi overrides, zero-width marks).
const BREAKS_AND_HIDDEN = new RegExp(`${HIDDEN_CHARACTER.source}|[\\t\\n\\r\\v\\f\\u0085]`, 'gu');

// The ASCII punctuation that can start markup inside a line: code spans, emphasis, links and
// images, raw HTML and entities, heading closers, table cells, strikethrough, and the backslash.
const MARKUP = /[\\`*_[\]<>()#|~&!]/g;

/**
 * `text` as one line of literal Markdown: each line break, tab or invisible character becomes
 * a space, runs of spaces become one, and every character that could open markup is
 * backslash-escaped (CommonMark: any ASCII punctuation may be escaped), so a title like
 * "a\n## Decision\n<!--" cannot add a heading, open a comment or break a table.
 */
export function inlineText(text: string): string {
  return text.replace(BREAKS_AND_HIDDEN, ' ').replace(/ {2,}/g, ' ').trim().replace(MARKUP, (char) => `\\${char}`);
}
