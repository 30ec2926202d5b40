import 'reflect-metadata';
import { EnvError, loadEnv } from '../config/env';
import { connectForTool } from './database';

/** `npm run migrate`: applies pending migrations (the server also does this at start). */
async function main() {
  const database = await connectForTool(loadEnv());
  try {
    const applied = await database.db.runMigrations({ transaction: 'each' });
    console.log(
      applied.length
        ? `Applied: ${applied.map((m) => m.name).join(', ')}`
        : 'No pending migrations.',
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof EnvError || error instanceof Error ? error.message : error);
  process.exit(1);
});
