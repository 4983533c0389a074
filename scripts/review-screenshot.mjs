// Looks at a review page as a browser shows it: the Markdown turned into HTML (marked, GitHub
// flavoured), its mermaid blocks drawn by Mermaid, the page photographed by headless Chromium.
//   node scripts/review-screenshot.mjs cdktf.out/review/dev.md /tmp/review.png
// A check for a person (does it read well, do the diagrams draw), not a test.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { marked } from 'marked';

const require = createRequire(import.meta.url);
const [input, output = '/tmp/review.png'] = process.argv.slice(2);
if (!input) throw new Error('usage: node scripts/review-screenshot.mjs <review.md> [out.png]');
const body = marked.parse(readFileSync(input, 'utf8')).replace(/<pre><code class="language-mermaid">([\s\S]*?)<\/code><\/pre>/g, '<pre class="mermaid">$1</pre>');
const mermaid = readFileSync(require.resolve('mermaid/dist/mermaid.min.js'), 'utf8');
const html = `<!doctype html><meta charset="utf-8"><style>body{font:14px -apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:980px;margin:24px auto;color:#1f2328}
table{border-collapse:collapse}td,th{border:1px solid #d1d9e0;padding:4px 8px}pre{background:#f6f8fa;padding:12px;overflow:auto}code{font-size:12px}blockquote{color:#59636e;border-left:4px solid #d1d9e0;margin:0;padding:0 12px}</style>
<body>${body}<script>${mermaid}</script><script>mermaid.initialize({ startOnLoad: true });</script></body>`;
const page = path.join(path.dirname(output), `${path.basename(output, '.png')}.html`);
writeFileSync(page, html);
const run = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--virtual-time-budget=5000', '--window-size=1100,2400', `--screenshot=${output}`, `file://${page}`], { encoding: 'utf8' });
if (run.status !== 0) throw new Error(`chromium: ${run.stderr}`);
console.log(`wrote ${output} (from ${page})`);
