const { readFileSync } = require('node:fs');

/**
 * `npm test` runs every project below; CI (.ci/run, docs/architecture.md "CI") selects them with
 * `--selectProjects` so that each file runs where it checks something, and stays within its time
 * budget on two cores:
 * - `rules`: the suites that replay the rules through thousands of random or tabulated requests
 *   (the model test, the write and read authority matrices, the stress harness), once on
 *   PostgreSQL — they are most of the suite's time, and the rules are SQL and TypeScript that
 *   neither the database engine's build nor the Node line changes;
 * - `no-database`: files that open no database (a test database in one of them throws), once
 *   per Node line: some pin what a runtime could change (shield's combinators);
 * - `api`: everything else, on both databases and on every Node line.
 * A new file lands in `api` unless listed here.
 */
const RULES = [
  '**/test/model/*.test.ts',
  '**/test/stress/*.test.ts',
  '**/test/permissions/authority-matrix.test.ts',
  '**/test/permissions/visibility-matrix.test.ts',
];
const NO_DATABASE = [
  '**/test/docs/readme.test.ts',
  '**/test/exports/crlf-records.test.ts',
  '**/test/permissions/docs-up-to-date.test.ts',
  '**/test/permissions/permission-map.snapshot.test.ts',
  '**/test/permissions/shield-combinators.test.ts',
  '**/test/permissions/shield-coverage.test.ts',
  '**/test/read-api/read-routing.test.ts',
  '**/test/schema/schema.test.ts',
];

const project = (displayName, testMatch, setupFiles = []) => ({
  displayName,
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch,
  transform: {
    '^.+\\.ts$': ['@swc/jest', JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'))],
  },
  setupFiles: ['<rootDir>/test/helpers/setup-env.ts', ...setupFiles],
  testTimeout: 120000,
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    project('rules', RULES),
    project('no-database', NO_DATABASE, ['<rootDir>/test/helpers/setup-no-database.ts']),
    project('api', ['**/*.test.ts', ...[...RULES, ...NO_DATABASE].map((glob) => `!${glob}`)]),
  ],
  // Each test file starts its own database (an in-memory PGlite, or a fresh PostgreSQL
  // database when TEST_DATABASE_URL is set); two workers match the two-core machines.
  maxWorkers: 2,
  testTimeout: 120000,
};
