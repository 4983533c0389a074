// Parses Mermaid diagrams with Mermaid itself (npm mermaid, ESM: run as its own process by the
// tests): a JSON array of diagram sources on stdin; prints one line per diagram that does not
// parse and exits 1 if any does not.
import mermaid from 'mermaid';

const input = await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => (text += chunk));
  process.stdin.on('end', () => resolve(text));
});
let failed = 0;
for (const [index, source] of JSON.parse(input).entries()) {
  try {
    const result = await mermaid.parse(source);
    if (!result) throw new Error('not a diagram');
  } catch (error) {
    failed += 1;
    console.log(`diagram ${index + 1}: ${String(error.message ?? error).split('\n').slice(0, 3).join(' ')}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
