// Unit tests (synthesized JSON), integration tests (a real PostgreSQL, started once per run by
// test/support/postgres-server.mjs) and end-to-end tests (cdktf and terraform CLIs).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  globalSetup: '<rootDir>/test/support/postgres-server.mjs',
  globalTeardown: '<rootDir>/test/support/postgres-server-stop.mjs',
  setupFilesAfterEnv: ['<rootDir>/test/support/load-sql-parser.ts'],
  testTimeout: 60000,
};
