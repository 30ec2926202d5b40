import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Role } from '../src/entities';
import { statementCounter } from '../src/database/data-source';
import { factories } from '../test/helpers/factories';
import { startTestServer } from '../test/helpers/test-server';

/**
 * `npm run bench`: latency of the reports list page (the frontend's most frequent request) as
 * the number of reports grows, on the embedded database, or on PostgreSQL with
 * TEST_DATABASE_URL. Writes bench/results.md. Not a test: nothing here asserts a time.
 */
const PAGE_QUERY = `query($first: Int, $archived: Boolean) {
  reports(filter: { archived: $archived }, first: $first) {
    totalCount
    edges { cursor node { id name archived createdAt account { id name } createdBy { id name } items(first: 5) { totalCount } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main() {
  process.env.LOG_LEVEL = 'silent';
  const server = await startTestServer();
  const f = factories(server.db);
  const agency = await f.agency();
  const manager = await f.member(agency, Role.ACCOUNT_MANAGER);
  const rows: string[] = [];
  const database = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite';
  let total = 0;
  for (const target of [100, 1000, 5000]) {
    const client = await f.client(agency);
    const item = await f.item(client);
    await server.db.query(
      `INSERT INTO reports (name, account_id, created_by_id)
       SELECT 'Bench report ' || g, $1, $2 FROM generate_series(1, $3) g`,
      [client.id, manager.id, target - total],
    );
    await server.db.query(
      `INSERT INTO report_items (report_id, item_id) SELECT id, $2 FROM reports WHERE account_id = $1`,
      [client.id, item.id],
    );
    total = target;
    for (const first of [20, 100]) {
      const timings: number[] = [];
      let statements = 0;
      for (let i = 0; i < 30; i++) {
        const before = statementCounter.count;
        const start = performance.now();
        const response = await server.gql(PAGE_QUERY, { first, archived: false }, manager);
        timings.push(performance.now() - start);
        statements = statementCounter.count - before;
        if (response.errors) throw new Error(JSON.stringify(response.errors));
      }
      timings.sort((a, b) => a - b);
      rows.push(
        `| ${database} | ${total} | ${first} | ${percentile(timings, 0.5).toFixed(1)} | ${percentile(timings, 0.95).toFixed(1)} | ${statements} |`,
      );
      console.log(rows[rows.length - 1]);
    }
  }
  await server.stop();
  const file = path.join(
    __dirname,
    '..',
    '..',
    'bench',
    `results-${process.env.TEST_DATABASE_URL ? 'postgres' : 'embedded'}.md`,
  );
  writeFileSync(
    file,
    [
      `# Reports page latency (${database})`,
      '',
      `Measured ${new Date().toISOString()} on ${process.platform}/${process.arch}, Node ${process.version}, 30 requests per row, over HTTP on loopback, as an agency ACCOUNT_MANAGER.`,
      '',
      '| database | visible reports | first | p50 ms | p95 ms | SQL statements |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
  console.log(`Wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
