/**
 * Relay keyset pagination (issue 3, item 2; contract "Connections"): pages walk without repeats
 * or gaps while rows are inserted between page loads, cursors are opaque and checked, `first`
 * defaults to 20 and may not exceed 100, and totalCount counts only rows the viewer may see.
 */
import {
  AccountStatus,
  ClientAccessMode,
  ReportStatus,
  ReportVisibility,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { useTestServer } from '../helpers/test-server';
import {
  PaginationReportsDocument,
  type PaginationReportsQueryVariables,
} from '../generated/graphql';

const { server, f } = useTestServer();
let agency: Account;
let client: Account;
let hiddenClient: Account;
let viewer: User;
let archivedClient: Account;

/** Inserts `n` reports in ONE statement, so they share created_at and only the id breaks ties. */
async function bulkReports(account: Account, n: number, status = ReportStatus.ACTIVE) {
  const rows: { id: string }[] = await server.db.query(
    `INSERT INTO reports (name, account_id, visibility, status, archived_at)
     SELECT 'bulk ' || g, $1, 'ACCOUNT', $2::report_status,
            CASE WHEN $2 = 'ARCHIVED' THEN now() END
       FROM generate_series(1, $3) g
     RETURNING id`,
    [account.id, status, n],
  );
  if (status === ReportStatus.ARCHIVED) {
    await server.db.query(
      `INSERT INTO archived_report_access (report_id, user_id) SELECT unnest($1::uuid[]), $2`,
      [rows.map((r) => r.id), viewer.id],
    );
  }
  return rows.map((r) => r.id);
}

beforeAll(async () => {
  agency = await f.agency();
  viewer = await f.member(agency, Role.REGULAR);
  client = await f.client(agency);
  hiddenClient = await f.client(agency, { clientAccess: ClientAccessMode.SELECTED_USERS });
  archivedClient = await f.client(agency, {
    status: AccountStatus.ARCHIVED,
    archivedAt: new Date(),
  });
  for (let i = 0; i < 12; i++) await f.report(client, { name: `one by one ${i}` });
  await bulkReports(client, 15);
  for (let i = 0; i < 9; i++) await f.report(hiddenClient); // invisible to the viewer
  for (let i = 0; i < 4; i++) {
    await f.report(client, { visibility: ReportVisibility.RESTRICTED }); // invisible too
  }
  await bulkReports(archivedClient, 11, ReportStatus.ARCHIVED);
  for (let i = 0; i < 5; i++) await f.report(archivedClient, { snapshot: [viewer] });
  await f.report(archivedClient, { snapshot: [] }); // archived, not in the viewer's snapshot
});

const REPORTS = PaginationReportsDocument;

async function page(vars: PaginationReportsQueryVariables, as: User = viewer) {
  const response = await server.op(REPORTS, vars, as);
  return response;
}

async function visibleIds(archived: boolean): Promise<string[]> {
  const response = await page({ first: 100, archived });
  expect(response.errors).toBeUndefined();
  return response.data!.reports.nodes.map((n: { id: string }) => n.id);
}

async function walk(archived: boolean, between: (pageIndex: number) => Promise<unknown>) {
  const seen: string[] = [];
  let after: string | null = null;
  for (let pageIndex = 0; pageIndex < 50; pageIndex++) {
    const response = await page({ first: 7, after, archived });
    expect(response.errors).toBeUndefined();
    const connection = response.data!.reports;
    expect(connection.nodes.map((n: { id: string }) => n.id)).toEqual(
      connection.edges.map((e: { node: { id: string } }) => e.node.id),
    );
    expect(connection.nodes.length).toBeLessThanOrEqual(7);
    seen.push(...connection.nodes.map((n: { id: string }) => n.id));
    if (!connection.pageInfo.hasNextPage) {
      expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor ?? null);
      return seen;
    }
    expect(connection.nodes).toHaveLength(7);
    expect(connection.pageInfo.endCursor).toBe(connection.edges[6].cursor);
    after = connection.pageInfo.endCursor;
    await between(pageIndex);
  }
  throw new Error('the walk did not end');
}

describe('walking pages while rows are inserted', () => {
  it.each([false, true])(
    'reports(archived: %s), first: 7: no repeats, no gaps among rows that existed at the start',
    async (archived) => {
      const atStart = await visibleIds(archived);
      expect(atStart.length).toBeGreaterThan(14);
      const inserted: string[] = [];
      const account = archived ? archivedClient : client;
      const seen = await walk(archived, async (pageIndex) => {
        // New rows between every page load: single rows, same-timestamp bursts, and rows
        // backdated to sit inside pages already read or still to come.
        inserted.push(
          ...(await bulkReports(account, 3, archived ? ReportStatus.ARCHIVED : undefined)),
        );
        const backdated = await f.report(account, {
          name: `backdated ${pageIndex}`,
          ...(archived ? { snapshot: [viewer] } : {}),
        });
        await server.db.query(
          `UPDATE reports SET created_at = (SELECT min(created_at) FROM reports) + interval '1 microsecond' * $2 WHERE id = $1`,
          [backdated.id, pageIndex * 37],
        );
        inserted.push(backdated.id);
      });
      expect(new Set(seen).size).toBe(seen.length); // no repeats
      const missing = atStart.filter((id) => !seen.includes(id));
      expect(missing).toEqual([]); // no gaps
      // Anything else seen was inserted during the walk.
      expect(seen.filter((id) => !atStart.includes(id) && !inserted.includes(id))).toEqual([]);
    },
  );

  it('keeps newest-first order (created_at desc, id desc) across pages', async () => {
    const seen = await walk(false, async () => {});
    const rows: { id: string }[] = await server.db.query(
      `SELECT id FROM reports WHERE id = ANY($1::uuid[]) ORDER BY created_at DESC, id DESC`,
      [seen],
    );
    expect(seen).toEqual(rows.map((r) => r.id));
  });

  it('walks Account.reports, accounts, Account.clients and Report.items the same way', async () => {
    const collect = async (query: string, pick: (data: any) => any, vars = {}) => {
      const ids: string[] = [];
      let after: string | null = null;
      for (;;) {
        const response = await server.gql(query, { ...vars, after }, viewer);
        expect(response.errors).toBeUndefined();
        const connection = pick(response.data);
        ids.push(...connection.nodes.map((n: { id: string }) => n.id));
        if (!connection.pageInfo.hasNextPage) return { ids, total: connection.totalCount };
        after = connection.pageInfo.endCursor;
      }
    };
    const accountReports = await collect(
      `query($id: ID!, $after: String) { account(id: $id) { reports(first: 4, after: $after) {
         totalCount nodes { id } pageInfo { hasNextPage endCursor } } } }`,
      (d) => d.account.reports,
      { id: client.id },
    );
    expect(new Set(accountReports.ids).size).toBe(accountReports.ids.length);
    expect(accountReports.ids.length).toBe(accountReports.total);

    for (let i = 0; i < 5; i++) await f.client(agency);
    const clients = await collect(
      `query($id: ID!, $after: String) { account(id: $id) { clients(first: 2, after: $after) {
         totalCount nodes { id } pageInfo { hasNextPage endCursor } } } }`,
      (d) => d.account.clients,
      { id: agency.id },
    );
    expect(clients.ids.length).toBe(clients.total);
    expect(clients.ids).not.toContain(hiddenClient.id);
    expect(clients.ids).toContain(client.id);

    const accounts = await collect(
      `query($after: String) { accounts(first: 3, after: $after) {
         totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`,
      (d) => d.accounts,
    );
    expect(new Set(accounts.ids).size).toBe(accounts.ids.length);
    expect(accounts.ids.length).toBe(accounts.total);

    const items = await Promise.all([...Array(11)].map(() => f.item(client)));
    const report = await f.report(client, { items });
    const reportItems = await collect(
      `query($id: ID!, $after: String) { report(id: $id) { items(first: 3, after: $after) {
         totalCount nodes { id } pageInfo { hasNextPage endCursor } } } }`,
      (d) => d.report.items,
      { id: report.id },
    );
    expect(reportItems.total).toBe(11);
    expect([...reportItems.ids].sort()).toEqual(items.map((i) => i.id).sort());
  });
});

describe('page size', () => {
  it('defaults to 20', async () => {
    const response = await page({});
    expect(response.errors).toBeUndefined();
    expect(response.data!.reports.nodes).toHaveLength(20);
    expect(response.data!.reports.pageInfo.hasNextPage).toBe(true);
  });

  it('accepts 100 and 0', async () => {
    const hundred = await page({ first: 100 });
    expect(hundred.errors).toBeUndefined();
    const zero = await page({ first: 0 });
    expect(zero.errors).toBeUndefined();
    expect(zero.data!.reports.nodes).toEqual([]);
    expect(zero.data!.reports.pageInfo).toEqual({ hasNextPage: true, endCursor: null });
  });

  it.each([101, 1000, -1, -100])('refuses first: %s with BAD_USER_INPUT', async (first) => {
    const response = await page({ first });
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(response.data?.reports ?? null).toBeNull();
  });

  it.each([
    ['Account.reports', `{ account(id: "ID") { reports(first: 101) { totalCount } } }`],
    ['Account.clients', `{ account(id: "AGENCY") { clients(first: -1) { totalCount } } }`],
    ['accounts', `{ accounts(first: 101) { totalCount } }`],
    ['Report.items', `{ reports(first: 1) { nodes { items(first: 101) { totalCount } } } }`],
  ])('refuses first out of range on %s too', async (_label, query) => {
    const response = await server.gql(
      query.replace('"ID"', `"${client.id}"`).replace('"AGENCY"', `"${agency.id}"`),
      {},
      viewer,
    );
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('cursors', () => {
  const b64 = (value: unknown) =>
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

  it.each([
    ['garbage', 'not a cursor'],
    ['empty-ish', '%%%'],
    ['base64 of text', b64('hello')],
    ['base64 of an object', b64({ createdAt: '2026-01-01 00:00:00+00', id: 'x' })],
    ['a bad id', b64(['2026-01-01 00:00:00+00', 'not-a-uuid'])],
    ['a bad timestamp', b64(['yesterday', '00000000-0000-4000-8000-000000000000'])],
    ['an impossible date', b64(['2026-13-45 99:99:99+00', '00000000-0000-4000-8000-000000000000'])],
    ['a huge offset', b64(['2026-01-01 00:00:00+99', '00000000-0000-4000-8000-000000000000'])],
    [
      'an extra element',
      b64(['2026-01-01 00:00:00+00', '00000000-0000-4000-8000-000000000000', 1]),
    ],
    [
      'SQL in the timestamp',
      b64(["2026-01-01'; DROP TABLE reports; --", '00000000-0000-4000-8000-000000000000']),
    ],
  ])('refuses %s with BAD_USER_INPUT', async (_label, after) => {
    const response = await page({ first: 5, after });
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses a tampered cursor (a character of an issued cursor changed)', async () => {
    const first = await page({ first: 3 });
    const cursor: string = first.data!.reports.pageInfo.endCursor!;
    const tampered = cursor.slice(0, 5) + (cursor[5] === 'A' ? 'B' : 'A') + cursor.slice(6);
    const truncated = cursor.slice(0, -4);
    for (const after of [tampered, truncated, `${cursor}x`]) {
      const response = await page({ first: 3, after });
      // A tampered cursor either decodes to another valid position or is refused; never a
      // server error.
      const codes = response.errors?.map((e) => e.extensions?.code) ?? [];
      expect(codes.filter((c) => c !== 'BAD_USER_INPUT')).toEqual([]);
    }
    const garbled = await page({ first: 3, after: b64(cursor) });
    expect(garbled.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('cursors are opaque strings that continue where the page ended', async () => {
    const a = await page({ first: 4 });
    const b = await page({ first: 4, after: a.data!.reports.pageInfo.endCursor });
    const both = await page({ first: 8 });
    expect([...a.data!.reports.nodes, ...b.data!.reports.nodes]).toEqual(both.data!.reports.nodes);
    expect(a.data!.reports.pageInfo.endCursor).not.toContain(a.data!.reports.nodes[3].id);
  });
});

describe('totalCount', () => {
  it('counts only the rows the viewer may see, on every page', async () => {
    const [{ n: active }]: { n: string }[] = await server.db.query(
      `SELECT COUNT(*) AS n FROM reports WHERE account_id = $1 AND status = 'ACTIVE' AND visibility = 'ACCOUNT'`,
      [client.id],
    );
    const [{ n: archived }]: { n: string }[] = await server.db.query(
      `SELECT COUNT(*) AS n FROM archived_report_access WHERE user_id = $1`,
      [viewer.id],
    );
    const first = await page({ first: 2 });
    const second = await page({ first: 2, after: first.data!.reports.pageInfo.endCursor });
    expect(first.data!.reports.totalCount).toBe(Number(active));
    expect(second.data!.reports.totalCount).toBe(Number(active));
    const arch = await page({ first: 2, archived: true });
    expect(arch.data!.reports.totalCount).toBe(Number(archived));

    // A user of another agency sees none of them.
    const stranger = await f.member(await f.agency(), Role.ADMIN);
    const none = await page({ first: 2 }, stranger);
    expect(none.data!.reports).toMatchObject({ totalCount: 0, nodes: [] });
  });
});
