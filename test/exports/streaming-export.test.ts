import { Role, type Account, type Report, type User } from '../../src/entities';
import { factories } from '../helpers/factories';
import { pgOnly } from '../helpers/requirements';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { ExportsContentUrlCodesDocument } from '../generated/graphql';

/**
 * R17 at size: a report of 100,000 items streams through the signed link with bounded memory.
 * The server runs in this process, so the heap measured here is the server's heap too.
 */
const ITEMS = 100_000;
const HEAP_BOUND = 150 * 1024 * 1024;

let server: TestServer;
let client: Account;
let admin: User;
let report: Report;

pgOnly('streaming export of 100,000 items', () => {
  beforeAll(async () => {
    server = await startTestServer();
    const f = factories(server.db);
    const agency = await f.agency();
    client = await f.client(agency);
    admin = await f.member(agency, Role.ADMIN);
    report = await f.report(client, { name: 'huge' });
    await server.db.query(
      `WITH made AS (
         INSERT INTO reporting_items (name, account_id, source, impressions, clicks, reach, created_at)
         SELECT 'Item ' || g, $1, 'MANUAL', g, g % 100, g / 2.0, now() + g * interval '1 microsecond'
           FROM generate_series(1, ${ITEMS}) g RETURNING id)
       INSERT INTO report_items (report_id, item_id) SELECT $2, id FROM made`,
      [client.id, report.id],
    );
  });
  afterAll(() => server.stop());

  it.each(['CSV', 'JSON'] as const)('streams %s with bounded heap growth', async (format) => {
    const response = await server.op(
      ExportsContentUrlCodesDocument,
      { input: { reportId: report.id, format } },
      admin,
    );
    const { content, url, userErrors } = response.data!.exportReport;
    expect(userErrors).toEqual([]);
    expect(content).toBeNull();

    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const download = await fetch(url!);
    expect(download.status).toBe(200);
    const reader = download.body!.getReader();
    const decoder = new TextDecoder();
    let bytes = 0;
    let newlines = 0;
    let tail = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      const text = decoder.decode(value, { stream: true });
      for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) === 10) newlines += 1;
      tail = (tail + text).slice(-200);
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(peak - baseline).toBeLessThan(HEAP_BOUND);
    expect(bytes).toBeGreaterThan(ITEMS * 20);
    if (format === 'CSV') {
      expect(newlines).toBe(ITEMS + 1);
      expect(tail.endsWith(`Item ${ITEMS},MANUAL,ACTIVE,,${ITEMS},0,${ITEMS / 2},\r\n`)).toBe(true);
    } else {
      // a newline before each item, then one before and one after the closing "]}"
      expect(newlines).toBe(ITEMS + 2);
      expect(tail.endsWith(']}\n')).toBe(true);
      expect(tail).toContain(`"name":"Item ${ITEMS}"`);
    }
  });
});
