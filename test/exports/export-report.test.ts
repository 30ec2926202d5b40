import { print } from 'graphql';
import http from 'node:http';
import {
  ItemSource,
  ItemStatus,
  ReportingItem,
  Role,
  type Account,
  type Report,
  type User,
} from '../../src/entities';
import { signExportLink } from '../../src/services/export.service';
import { factories } from '../helpers/factories';
import { startTestServer, useTestServer } from '../helpers/test-server';
import { parseCsv } from './parse-csv';
import { ExportsExportReportDocument } from '../generated/graphql';

const { server, f } = useTestServer();
let agency: Account;
let client: Account;
let admin: User;
let items: ReportingItem[];
let report: Report;

const EXPORT = ExportsExportReportDocument;

const HEADER = [
  'name',
  'source',
  'status',
  'externalId',
  'impressions',
  'clicks',
  'reach',
  'lastDataAt',
];

beforeAll(async () => {
  agency = await f.agency();
  client = await f.client(agency);
  admin = await f.member(agency, Role.ADMIN);
  const names = [
    'Plain item',
    'Comma, "quotes" and\r\nnew lines',
    '=HYPERLINK("http://evil")',
    '+1 campaign',
    '-2 campaign',
    '@SUM(A1)',
    '\tTabbed',
  ];
  items = [];
  for (const [n, name] of names.entries()) {
    items.push(
      await f.item(client, {
        name,
        source: n % 2 ? ItemSource.INTEGRATION : ItemSource.MANUAL,
        externalId: n % 2 ? `=ext-${n}` : null,
        status: n === 3 ? ItemStatus.FROZEN : ItemStatus.ACTIVE,
        impressions: 1000 * n + 0.5,
        clicks: n,
        reach: 10 * n,
        lastDataAt: n % 3 ? new Date(Date.UTC(2026, 0, n + 1, 12)) : null,
        createdAt: new Date(Date.UTC(2025, 0, n + 1)),
      }),
    );
  }
  report = await f.report(client, { items, name: 'Q1, "brand" report' });
});

const quoteFormula = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
const expectedRows = () =>
  items.map((i) => [
    quoteFormula(i.name),
    i.source,
    i.status,
    i.externalId === null ? '' : quoteFormula(i.externalId),
    String(i.impressions),
    String(i.clicks),
    String(i.reach),
    i.lastDataAt ? i.lastDataAt.toISOString() : '',
  ]);

async function exportAs(
  reportId: string,
  format: 'CSV' | 'JSON',
  as: User | { token: string } = admin,
) {
  const response = await server.op(EXPORT, { input: { reportId, format } }, as);
  expect(response.errors).toBeUndefined();
  return response.data!.exportReport as {
    content: string | null;
    url: string | null;
    userErrors: { code: string; field: string[] }[];
  };
}

describe('exportReport (R17)', () => {
  it('exports CSV (RFC 4180, formula-safe) that parses back to the items', async () => {
    const result = await exportAs(report.id, 'CSV');
    expect(result.userErrors).toEqual([]);
    const rows = parseCsv(result.content!);
    expect(rows[0]).toEqual(HEADER);
    expect(rows.slice(1)).toEqual(expectedRows());
    // The signed link serves the very same document.
    const download = await fetch(result.url!);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await download.text()).toBe(result.content);
  });

  it('exports JSON with the report metadata and every item', async () => {
    const result = await exportAs(report.id, 'JSON');
    const document = JSON.parse(result.content!);
    expect(document.report).toEqual({
      id: report.id,
      name: report.name,
      account: { id: client.id, name: client.name },
      visibility: 'ACCOUNT',
      archived: false,
      archivedAt: null,
      createdAt: report.createdAt.toISOString(),
    });
    expect(document.items).toEqual(
      items.map((i) => ({
        id: i.id,
        name: i.name,
        source: i.source,
        status: i.status,
        externalId: i.externalId,
        impressions: i.impressions,
        clicks: i.clicks,
        reach: i.reach,
        lastDataAt: i.lastDataAt ? i.lastDataAt.toISOString() : null,
      })),
    );
    const download = await fetch(result.url!);
    expect(download.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await download.text()).toBe(result.content);
  });

  it('exports an empty report as a header (CSV) and no items (JSON)', async () => {
    const empty = await f.report(client);
    expect((await exportAs(empty.id, 'CSV')).content).toBe(`${HEADER.join(',')}\r\n`);
    expect(JSON.parse((await exportAs(empty.id, 'JSON')).content!).items).toEqual([]);
  });

  it('exports an archived report for the users of its R16 snapshot only', async () => {
    const manager = await f.member(agency, Role.ACCOUNT_MANAGER);
    const lateAdmin = await f.member(agency, Role.ADMIN);
    const archived = await f.report(client, {
      items: items.slice(0, 2),
      snapshot: [admin, manager],
    });
    const result = await exportAs(archived.id, 'CSV', manager);
    expect(parseCsv(result.content!).slice(1)).toEqual(expectedRows().slice(0, 2));
    const json = JSON.parse((await exportAs(archived.id, 'JSON', admin)).content!);
    expect(json.report.archived).toBe(true);
    const refused = await exportAs(archived.id, 'CSV', lateAdmin);
    expect(refused).toEqual({
      content: null,
      url: null,
      userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'reportId'] })],
    });
  });

  it('answers NOT_FOUND for an invisible or unknown report', async () => {
    const stranger = await f.member(await f.agency(), Role.ADMIN);
    expect((await exportAs(report.id, 'CSV', stranger)).userErrors[0].code).toBe('NOT_FOUND');
    expect((await exportAs('00000000-0000-4000-8000-000000000000', 'CSV')).userErrors[0].code).toBe(
      'NOT_FOUND',
    );
    expect((await exportAs('nope', 'JSON')).userErrors[0].code).toBe('NOT_FOUND');
  });

  it('leaves content null above 1,000 items; the link streams them all', async () => {
    const big = await f.report(client, { name: 'big' });
    await server.db.query(
      `WITH made AS (
         INSERT INTO reporting_items (name, account_id, source, impressions, created_at)
         SELECT 'Bulk ' || g, $1, 'MANUAL', g, now() + g * interval '1 millisecond'
           FROM generate_series(1, 1001) g RETURNING id)
       INSERT INTO report_items (report_id, item_id) SELECT $2, id FROM made`,
      [client.id, big.id],
    );
    const result = await exportAs(big.id, 'CSV');
    expect(result.content).toBeNull();
    const rows = parseCsv(await (await fetch(result.url!)).text());
    expect(rows).toHaveLength(1002);
    expect(rows[1][0]).toBe('Bulk 1');
    expect(rows[1001]).toEqual(['Bulk 1001', 'MANUAL', 'ACTIVE', '', '1001', '0', '0', '']);
  });
});

describe('GET /exports/… signed links', () => {
  const linkParts = (url: string) => {
    const parsed = new URL(url);
    return { parsed, params: parsed.searchParams };
  };

  it('answers 403 for a tampered link', async () => {
    const { url } = await exportAs(report.id, 'CSV');
    const { parsed } = linkParts(url!);
    const badSig = new URL(parsed);
    const sig = parsed.searchParams.get('sig')!;
    // Other last characters, whatever the signature ends with.
    badSig.searchParams.set('sig', `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`);
    expect((await fetch(badSig)).status).toBe(403);
    const otherViewer = new URL(parsed);
    otherViewer.searchParams.set('viewer', `u.${(await f.staff()).id}`);
    expect((await fetch(otherViewer)).status).toBe(403);
    const longer = new URL(parsed);
    longer.searchParams.set('expires', String(Number(parsed.searchParams.get('expires')) + 3600));
    expect((await fetch(longer)).status).toBe(403);
    const otherFormat = new URL(parsed.toString().replace('.csv?', '.json?'));
    expect((await fetch(otherFormat)).status).toBe(403);
    const noSig = new URL(parsed);
    noSig.searchParams.delete('sig');
    expect((await fetch(noSig)).status).toBe(403);
  });

  it('answers 403 for an expired link', async () => {
    const expires = Math.floor(Date.now() / 1000) - 1;
    const viewer = `u.${admin.id}`;
    const sig = signExportLink(server.database.env.JWT_SECRET, {
      reportId: report.id,
      format: 'CSV' as never,
      expires,
      viewer,
    });
    const url = `${server.url}/exports/${report.id}.csv?expires=${expires}&viewer=${viewer}&sig=${sig}`;
    expect((await fetch(url)).status).toBe(403);
  });

  it('re-checks the viewer at download: deactivated → 403, access lost → 404', async () => {
    const manager = await f.member(agency, Role.ACCOUNT_MANAGER);
    const { url } = await exportAs(report.id, 'CSV', manager);
    expect((await fetch(url!)).status).toBe(200);
    await server.db.query(`DELETE FROM memberships WHERE user_id = $1`, [manager.id]);
    expect((await fetch(url!)).status).toBe(404);
    const other = await f.member(agency, Role.ACCOUNT_MANAGER);
    const second = await exportAs(report.id, 'JSON', other);
    await server.db.query(`UPDATE users SET active = false WHERE id = $1`, [other.id]);
    expect((await fetch(second.url!)).status).toBe(403);
  });

  it('answers 404 for a malformed file name', async () => {
    expect((await fetch(`${server.url}/exports/whatever.xml`)).status).toBe(404);
  });
});

describe('export link base URL (issue 9, finding 8)', () => {
  /** exportReport over a raw request, so the Host and X-Forwarded-* headers are the client's. */
  const exportWithHeaders = (url: string, token: string, reportId: string) =>
    new Promise<{ status: number; link: string }>((resolve, reject) => {
      const request = http.request(
        `${url}/graphql`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            host: 'evil.example:8443',
            'x-forwarded-host': 'evil.example',
            'x-forwarded-proto': 'https',
          },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => {
            const parsed = JSON.parse(text) as { data: { exportReport: { url: string } } };
            resolve({ status: response.statusCode ?? 0, link: parsed.data.exportReport.url });
          });
        },
      );
      request.on('error', reject);
      request.end(
        JSON.stringify({ query: print(EXPORT), variables: { input: { reportId, format: 'CSV' } } }),
      );
    });

  it('finding 8: export links ignore the Host header', async () => {
    const token = await server.tokenFor(admin);
    const { status, link } = await exportWithHeaders(server.url, token, report.id);
    expect(status).toBe(200);
    // server.url is http://HOST:PORT of the server's own configuration (PORT=0: the bound port).
    expect(link.startsWith(`${server.url}/exports/${report.id}.csv?expires=`)).toBe(true);
    expect((await fetch(link)).status).toBe(200);
  });

  it('finding 8: export links use PUBLIC_URL when it is set, whatever the Host header', async () => {
    const other = await startTestServer({ PUBLIC_URL: 'https://reports.example.com/handover/' });
    try {
      const g = factories(other.db);
      const owner = await g.agency();
      const otherAdmin = await g.member(owner, Role.ADMIN);
      const otherReport = await g.report(await g.client(owner), { items: [] });
      const token = await other.tokenFor(otherAdmin);
      const { status, link } = await exportWithHeaders(other.url, token, otherReport.id);
      expect(status).toBe(200);
      expect(
        link.startsWith(
          `https://reports.example.com/handover/exports/${otherReport.id}.csv?expires=`,
        ),
      ).toBe(true);
    } finally {
      await other.stop();
    }
  });
});
