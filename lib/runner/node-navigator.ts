// node-postgres tells Cloudflare Workers from Node by `navigator.userAgent`; where `navigator`
// is missing (Node 20) it builds a fetch Response instead, which loads undici: about 30 ms of
// the runner's start, a fifth of a run with nothing to do. Node 21 and later define
// `navigator`; the runner defines the same object on Node 20 before pg is loaded.
const scope = globalThis as unknown as { navigator?: { userAgent: string } };
if (scope.navigator === undefined) {
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` },
    configurable: true,
    writable: true,
  });
}

export {};
