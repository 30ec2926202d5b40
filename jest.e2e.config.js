const { readFileSync } = require('node:fs');

/**
 * Browser tests (`npm run test:e2e`): they drive Debian's Chromium through playwright-core, so
 * they are kept out of `npm test`. CI runs them from .ci/after-tests.d/e2e.sh.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'))],
  },
  setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
  maxWorkers: 1,
  testTimeout: 120000,
};
