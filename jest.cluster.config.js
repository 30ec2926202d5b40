const { readFileSync } = require('node:fs');

/**
 * The replicas test (`npm run test:cluster`): 3 API processes and 2 relay workers built from
 * dist/ on one PostgreSQL database, one Redis and one SMTP sink. Kept out of `npm test`; CI runs
 * it as its own step.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.cluster.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'))],
  },
  setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
  maxWorkers: 1,
  testTimeout: 240000,
  // Killed replicas leave keep-alive sockets in fetch's pool; the test ends what it started.
  forceExit: true,
};
