// How an environment's sslMode (or PGSSLMODE) and PGSSLROOTCERT become node-postgres's TLS
// settings, as libpq reads them: require only encrypts unless a CA file is given, when it
// verifies the chain as verify-ca does; verify-ca skips the host name, verify-full checks it;
// `system` is the system's CAs. (That the TLS is really asked for is proven on PostgreSQL in
// test/integration/everyday-attacks.test.ts.)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sslOf } from '../../lib/runner/connect';

const CA = '-----BEGIN CERTIFICATE-----\nnot a real one\n-----END CERTIFICATE-----\n';
const file = path.join(mkdtempSync(path.join(tmpdir(), 'bedrock-ca-')), 'root.crt');
writeFileSync(file, CA);

function withRoot<T>(root: string | undefined, work: () => T): T {
  const saved = process.env.PGSSLROOTCERT;
  if (root === undefined) delete process.env.PGSSLROOTCERT;
  else process.env.PGSSLROOTCERT = root;
  try {
    return work();
  } finally {
    if (saved === undefined) delete process.env.PGSSLROOTCERT;
    else process.env.PGSSLROOTCERT = saved;
  }
}

type Tls = { ca?: string; rejectUnauthorized?: boolean; checkServerIdentity?: () => undefined };

test('disable: no TLS; require without a CA file: encrypted, the certificate not verified', () => {
  expect(withRoot(undefined, () => sslOf('disable', 'e'))).toEqual({ ssl: false });
  expect(withRoot(undefined, () => sslOf('require', 'e'))).toEqual({ ssl: { rejectUnauthorized: false } });
});

test('require with PGSSLROOTCERT: the chain is verified against that CA (as libpq does), the host name is not', () => {
  const ssl = withRoot(file, () => sslOf('require', 'e')).ssl as Tls;
  expect(ssl.ca).toBe(CA);
  expect(ssl.rejectUnauthorized).not.toBe(false);
  expect(ssl.checkServerIdentity?.()).toBeUndefined();
});

test('verify-ca checks the chain only; verify-full the chain and the host name; "system" is the system store', () => {
  const ca = withRoot(file, () => sslOf('verify-ca', 'e')).ssl as Tls;
  expect(ca).toEqual({ ca: CA, checkServerIdentity: expect.any(Function) });
  expect(withRoot(file, () => sslOf('verify-full', 'e'))).toEqual({ ssl: { ca: CA } });
  expect(withRoot('system', () => sslOf('verify-full', 'e'))).toEqual({ ssl: {} });
  expect(withRoot(undefined, () => sslOf('verify-full', 'e'))).toEqual({ ssl: {} });
});

test('an unreadable PGSSLROOTCERT is named with the environment and the fix', () => {
  expect(() => withRoot('/nonexistent/ca.pem', () => sslOf('verify-ca', 'prod'))).toThrow(
    'PGSSLROOTCERT /nonexistent/ca.pem: cannot read it (ENOENT); environment "prod" verifies the server (sslMode verify-ca) against that file: point PGSSLROOTCERT at the CA certificate, or unset it to use the system\'s CAs',
  );
});
