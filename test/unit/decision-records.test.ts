// A link to a decision record is checked when the table is built: only a relative path
// docs/adr/NNNN-<slug>.md passes; every other string (absolute, "..", a subfolder, a hostile
// one) is refused with a message naming the table and the prop. And how `adr new` names files:
// the slug from a title, the next number.
import { bigint, Table } from '../../lib';
import { decisionRecordPath, decisionRecordProblem, decisionRecordSlug, nextDecisionRecordNumber } from '../../lib/model/decision-record';
import { serviceStack } from '../support/app';

const FIX = 'give the record\'s path relative to the project\'s folder, e.g. docs/adr/0001-portfolio-writes-signals.md (`npm run bedrock -- adr new "<title>"` writes one)';

describe('decisionRecordProblem', () => {
  test.each(['docs/adr/0001-portfolio-writes-signals.md', 'docs/adr/0042-a.md', 'docs/adr/9999-x1-2y.md', `docs/adr/0001-${'a'.repeat(60)}.md`])('%s is a decision record', (value) => {
    expect(decisionRecordProblem(value)).toBeUndefined();
  });

  test.each<[string, unknown, string]>([
    ['not a string', 42, `expected the path of a decision record (a string), got number: ${FIX}`],
    ['undefined', undefined, `expected the path of a decision record (a string), got undefined: ${FIX}`],
    ['empty', ' ', `no decision record is linked: ${FIX}`],
    ['absolute', '/etc/passwd', `"/etc/passwd" is an absolute path, which differs from machine to machine: ${FIX}`],
    ['home', '~/adr/0001-x.md', `"~/adr/0001-x.md" is an absolute path, which differs from machine to machine: ${FIX}`],
    ['a drive', 'C:/adr/0001-x.md', `"C:/adr/0001-x.md" is an absolute path, which differs from machine to machine: ${FIX}`],
    ['parent', 'docs/adr/../../etc/0001-x.md', `"docs/adr/../../etc/0001-x.md" is not a plain relative path (it has "..", "." or an empty segment), so it could point outside docs/adr/: ${FIX}`],
    ['dot', './docs/adr/0001-x.md', `"./docs/adr/0001-x.md" is not a plain relative path (it has "..", "." or an empty segment), so it could point outside docs/adr/: ${FIX}`],
    ['double slash', 'docs//adr/0001-x.md', `"docs//adr/0001-x.md" is not a plain relative path (it has "..", "." or an empty segment), so it could point outside docs/adr/: ${FIX}`],
    ['backslashes', 'docs\\adr\\0001-x.md', '"docs\\\\adr\\\\0001-x.md" uses backslashes: write the path with forward slashes, e.g. docs/adr/0001-portfolio-writes-signals.md'],
    ['elsewhere', 'docs/decisions/0001-x.md', `"docs/decisions/0001-x.md" is not in docs/adr/ (decision records live there, with no subfolder): ${FIX}`],
    ['a subfolder', 'docs/adr/old/0001-x.md', `"docs/adr/old/0001-x.md" is not in docs/adr/ (decision records live there, with no subfolder): ${FIX}`],
    ['no number', 'docs/adr/portfolio.md', `"docs/adr/portfolio.md": a decision record's file name is NNNN-<slug>.md (four digits, a hyphen, then lower-case letters, digits and single hyphens): ${FIX}`],
    ['upper case', 'docs/adr/0001-Portfolio.md', `"docs/adr/0001-Portfolio.md": a decision record's file name is NNNN-<slug>.md (four digits, a hyphen, then lower-case letters, digits and single hyphens): ${FIX}`],
    ['not Markdown', 'docs/adr/0001-x.txt', `"docs/adr/0001-x.txt": a decision record's file name is NNNN-<slug>.md (four digits, a hyphen, then lower-case letters, digits and single hyphens): ${FIX}`],
    ['a shell', 'docs/adr/0001-$(rm -rf).md', `"docs/adr/0001-$(rm -rf).md": a decision record's file name is NNNN-<slug>.md (four digits, a hyphen, then lower-case letters, digits and single hyphens): ${FIX}`],
    ['a line break', 'docs/adr/0001-x.md\n| forged | row |', `"docs/adr/0001-x.md\\n| forged | row |" holds a line break or a character a reviewer cannot see: ${FIX}`],
    ['a bidi override', 'docs/adr/0001-x\u202e.md', `"docs/adr/0001-x\\u202e.md" holds a line break or a character a reviewer cannot see: ${FIX}`],
    ['NUL', 'docs/adr/0001-x.md\u0000', `"docs/adr/0001-x.md\\u0000" holds a line break or a character a reviewer cannot see: ${FIX}`],
    ['a long slug', `docs/adr/0001-${'a'.repeat(61)}.md`, `"docs/adr/0001-${'a'.repeat(46)}...": the slug is 61 characters long, more than 60: shorten it (rename the file too)`],
  ])('%s is refused with the fix', (_label, value, message) => {
    expect(decisionRecordProblem(value)).toBe(message);
  });

  test('a hostile decision is refused when the table is built, naming the table and the prop; a missing one too', () => {
    const { stack } = serviceStack();
    const build = (name: string, decision: unknown) => () =>
      new Table(stack, name, { columns: { id: bigint() }, sharedWriters: [{ service: 'portfolio', reason: 'marks fills', decision: decision as string }] });
    expect(build('klines', '../../../etc/passwd')).toThrow(
      `test-datahub/klines: sharedWriters[0].decision: "../../../etc/passwd" is not a plain relative path (it has "..", "." or an empty segment), so it could point outside docs/adr/: ${FIX}`,
    );
    expect(build('candles', undefined)).toThrow('test-datahub/candles: sharedWriters[0].decision: expected a string, got undefined');
    expect(build('fills', 'docs/adr/0001-fills.md')).not.toThrow();
  });
});

describe('the slug and number of a new record', () => {
  test.each([
    ['Portfolio writes signals', 'portfolio-writes-signals'],
    ['  Décision: écrire les ordres!  ', 'decision-ecrire-les-ordres'],
    ['decision_engine.signals -> portfolio', 'decision-engine-signals-portfolio'],
    ['a\n## Decision\n<script>alert(1)</script>`x`', 'a-decision-script-alert-1-script-x'],
    ['Σ 日本', ''],
    ['---', ''],
  ])('%j becomes %j', (title, slug) => {
    expect(decisionRecordSlug(title)).toBe(slug);
  });

  test('a long title is cut at a word, to at most 60 characters; a single long word is cut', () => {
    const slug = decisionRecordSlug('move the order book snapshots table from datahub to the portfolio service after the audit');
    expect(slug).toBe('move-the-order-book-snapshots-table-from-datahub-to-the');
    expect(slug.length).toBeLessThanOrEqual(60);
    expect(decisionRecordSlug('x'.repeat(80))).toBe('x'.repeat(60));
    expect(decisionRecordProblem(decisionRecordPath(1, slug))).toBeUndefined();
  });

  test('the next number follows the highest record; other files do not count, a malformed record does', () => {
    expect(nextDecisionRecordNumber([])).toBe(1);
    expect(nextDecisionRecordNumber(['README.md', 'template.md', '12-x.md'])).toBe(1);
    expect(nextDecisionRecordNumber(['0001-a.md', '0007-b.md', '0003-c.md'])).toBe(8);
    expect(nextDecisionRecordNumber(['0001-a.md', '0009-Not_A_Slug.md'])).toBe(10);
    expect(decisionRecordPath(8, 'b')).toBe('docs/adr/0008-b.md');
    expect(() => decisionRecordPath(10000, 'b')).toThrow('a decision record\'s number is from 1 to 9999, got 10000');
  });
});
