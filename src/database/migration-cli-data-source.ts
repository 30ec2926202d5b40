import { createDataSource } from './data-source';

/**
 * The DataSource the TypeORM CLI uses (`npm run migration:generate`, `npm run migrate`).
 * It needs DATABASE_URL; `npm run migration:generate` starts a throwaway embedded database when unset.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required for the TypeORM CLI');
export default createDataSource(url);
