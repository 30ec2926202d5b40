import { Role, type ReportingItem, type User } from '../../src/entities';
import { factories } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { parseCsv } from './parse-csv';
import { ExportsContentDocument, ExportsContentUrlDocument } from '../generated/graphql';

/**
 * PostgreSQL writes the CSV (COPY); the cells are still what JavaScript writes for the same
 * values — the JSON export's numbers and ISO times, empty for NULL and for an empty string — at
 * the edges where PostgreSQL's own text differs: exponent notation, -0, sub-millisecond times.
 */
let server: TestServer;
let admin: User;
let reportId: string;
let items: ReportingItem[];

const NUMBERS = [
  0,
  -0,
  0.1 + 0.2,
  1e-4,
  9.5e-5,
  1.5e-5,
  1e-6,
  1.25e-7,
  -3e-9,
  5e-324,
  999999999999999.9,
  1e15,
  -1.5e15,
  123456789012345,
  2 ** 53,
  1e20,
  1.5e21,
  1e21,
  -2e22,
  1.7976931348623157e308,
];

beforeAll(async () => {
  server = await startTestServer();
  const f = factories(server.db);
  const agency = await f.agency();
  const client = await f.client(agency);
  admin = await f.member(agency, Role.ADMIN);
  items = [];
  for (const [n, value] of NUMBERS.entries()) {
    items.push(
      await f.item(client, {
        name: n === 0 ? '' : `Item ${n}`,
        externalId: n === 1 ? '' : null,
        impressions: value,
        clicks: -value,
        reach: n,
        lastDataAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n * 37)),
        createdAt: new Date(Date.UTC(2025, 0, 1, n)),
      }),
    );
  }
  // Microseconds the driver's Date drops: the CSV truncates them the same way.
  await server.db.query(
    `UPDATE reporting_items SET last_data_at = last_data_at + interval '999 microseconds'
      WHERE id = $1`,
    [items[2].id],
  );
  reportId = (await f.report(client, { items })).id;
});
afterAll(() => server.stop());

it('writes every cell as the JSON export writes its value', async () => {
  const response = await server.op(
    ExportsContentUrlDocument,
    { input: { reportId, format: 'CSV' } },
    admin,
  );
  const { content, url } = response.data!.exportReport as { content: string; url: string };
  const json = (
    await server.op(ExportsContentDocument, { input: { reportId, format: 'JSON' } }, admin)
  ).data!.exportReport.content!;
  const expected = (
    JSON.parse(json) as {
      items: {
        name: string;
        externalId: string | null;
        impressions: number;
        clicks: number;
        reach: number;
        lastDataAt: string;
      }[];
    }
  ).items.map((i) => [
    i.name,
    'MANUAL',
    'ACTIVE',
    i.externalId ?? '',
    String(i.impressions),
    String(i.clicks),
    String(i.reach),
    i.lastDataAt,
  ]);
  expect(parseCsv(content).slice(1)).toEqual(expected);
  // An empty string is an empty field, as NULL is, not `""`.
  expect(content.split('\r\n')[1]).toBe(',MANUAL,ACTIVE,,0,0,0,2026-01-01T00:00:00.000Z');
  expect(expected.map((row) => row[4])).toEqual(NUMBERS.map(String));
  expect(await (await fetch(url)).text()).toBe(content);
});
