import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createDataSource } from './data-source';
import { startEmbeddedDatabase } from './embedded-database';

/**
 * `npm run migration:generate -- Name`: diffs the entities against a database migrated to the
 * latest migration and writes the difference as a timestamped migration under src/.
 * Without DATABASE_URL it uses a throwaway in-memory embedded database, so it needs no setup.
 */
async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
    throw new Error('usage: npm run migration:generate -- PascalCaseName');
  }
  const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedDatabase();
  const dataSource = createDataSource(process.env.DATABASE_URL || embedded!.url);
  try {
    await dataSource.initialize();
    await dataSource.runMigrations();
    const sql = await dataSource.driver.createSchemaBuilder().log();
    if (sql.upQueries.length === 0) {
      console.log('No changes: the entities match the migrations.');
      return;
    }
    const timestamp = Date.now();
    const className = `${name}${timestamp}`;
    const quote = (query: string) => '`' + query.replace(/`/g, '\\`') + '`';
    const up = sql.upQueries.map((q) => `    await queryRunner.query(${quote(q.query)});`);
    const down = sql.downQueries
      .reverse()
      .map((q) => `    await queryRunner.query(${quote(q.query)});`);
    const file = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up.join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down.join('\n')}
  }
}
`;
    const kebab = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    const target = path.join('src', 'database', 'migrations', `${timestamp}-${kebab}.ts`);
    writeFileSync(target, file);
    console.log(`Wrote ${target}; add ${className} to src/database/migrations/index.ts`);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
