import type { Pool } from 'pg';
import { Role, type Report, type User } from '../../src/entities';
import { factories } from '../helpers/factories';
import { pgOnly } from '../helpers/requirements';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { ExportsUrlDocument } from '../generated/graphql';

/**
 * A client that goes away mid-download: the CSV's COPY must end on the server and its pooled
 * connection must not stay behind (in COPY mode, or idle in a transaction holding a snapshot).
 * PostgreSQL only: the embedded database runs a statement to its end whatever the client does.
 * The document is ~50 MB, more than loopback buffers hold, so the COPY is still sending when the
 * client leaves.
 */
const ITEMS = 100_000;

let server: TestServer;
let admin: User;
let report: Report;

/** The test database's other sessions that run the export's COPY or sit in a transaction. */
const exportSessions = async () =>
  await server.db.query<{ state: string; waitEvent: string | null; query: string }[]>(
    `SELECT state, wait_event AS "waitEvent", left(query, 40) AS query FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND (query LIKE 'COPY (%' AND state = 'active' OR state LIKE 'idle in transaction%')`,
  );

const eventually = async (check: () => Promise<boolean>, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

pgOnly('a CSV download abandoned mid-way', () => {
  beforeAll(async () => {
    server = await startTestServer();
    const f = factories(server.db);
    const agency = await f.agency();
    const client = await f.client(agency);
    admin = await f.member(agency, Role.ADMIN);
    report = await f.report(client, { name: 'abandoned' });
    await server.db.query(
      `WITH made AS (
         INSERT INTO reporting_items (name, account_id, source, impressions, created_at)
         SELECT 'Item ' || g || ' ' || repeat('x', 480), $1, 'MANUAL', g,
                now() + g * interval '1 microsecond'
           FROM generate_series(1, ${ITEMS}) g RETURNING id)
       INSERT INTO report_items (report_id, item_id) SELECT $2, id FROM made`,
      [client.id, report.id],
    );
  });
  afterAll(() => server.stop());

  it('ends the COPY and gives the connection back', async () => {
    const response = await server.op(
      ExportsUrlDocument,
      { input: { reportId: report.id, format: 'CSV' } },
      admin,
    );
    const url = response.data!.exportReport.url as string;
    const pool = (server.db.driver as unknown as { master: Pool }).master;

    const abort = new AbortController();
    const download = await fetch(url, { signal: abort.signal });
    expect(download.status).toBe(200);
    const reader = download.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    // The client stops reading: the COPY fills the buffers and waits on the socket.
    await eventually(async () =>
      (await exportSessions()).some((s) => s.query.startsWith('COPY (') && s.state === 'active'),
    );
    abort.abort();

    await eventually(async () => (await exportSessions()).length === 0);
    await eventually(async () => pool.totalCount === pool.idleCount && pool.waitingCount === 0);

    // The pool serves the next download whole.
    const again = await fetch(url);
    const text = await again.text();
    expect(again.status).toBe(200);
    expect(text.split('\r\n')).toHaveLength(ITEMS + 2);
    expect(await exportSessions()).toEqual([]);
  });
});
