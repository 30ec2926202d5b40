/**
 * Setup of jest.config.js's `no-database` project: CI runs those files once, not per database,
 * so one that starts opening a database must move out of that list (createTestDatabase refuses).
 */
process.env.TEST_NO_DATABASE = '1';
