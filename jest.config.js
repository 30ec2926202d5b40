const { readFileSync } = require('node:fs');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'))],
  },
  setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
  // Each test file starts its own database (an in-memory PGlite, or a fresh PostgreSQL
  // database when TEST_DATABASE_URL is set); two workers match the two-core machines.
  maxWorkers: 2,
  testTimeout: 120000,
};
