/**
 * No N+1 (issue 3, item 5): the reports list page with each report's account, creator and item
 * count costs the same number of SQL statements for 5 rows as for 100: three — the viewer's
 * authentication, the page with its accounts and creators (issue 10), the item counts.
 */
import { ReportVisibility, Role, type User } from '../../src/entities';
import { factories } from '../helpers/factories';
import { useTestServer } from '../helpers/test-server';
import {
  CountedPageDocument,
  CountedReportItemPagesDocument,
  CountedReportItemsDocument,
} from '../generated/graphql';

const { server } = useTestServer();
let viewer: User;
let staff: User;

beforeAll(async () => {
  const f = factories(server.db);
  const agency = await f.agency();
  viewer = await f.member(agency, Role.REGULAR);
  staff = await f.staff();
  const creators = [
    viewer,
    await f.member(agency, Role.ADMIN),
    await f.member(agency, Role.VIEW_ONLY),
  ];
  // 120 visible reports over 6 clients, each with a few items, plus reports the viewer cannot see.
  for (let c = 0; c < 6; c++) {
    const client = await f.client(agency);
    const items = await Promise.all([0, 1, 2, 3].map(() => f.item(client)));
    for (let r = 0; r < 20; r++) {
      await f.report(client, {
        createdById: creators[r % creators.length].id,
        items: items.slice(0, r % 5),
      });
    }
    await f.report(client, { visibility: ReportVisibility.RESTRICTED, createdById: null });
  }
});

const PAGE = CountedPageDocument;

async function statementsFor(first: number, as: User) {
  const { result, statements, log } = await server.countStatements(() =>
    server.op(PAGE, { first }, as),
  );
  expect(result.errors).toBeUndefined();
  expect(result.data!.reports.nodes).toHaveLength(first);
  for (const node of result.data!.reports.nodes) {
    expect(node.account.name).toEqual(expect.any(String));
    expect(node.items.totalCount).toEqual(expect.any(Number));
  }
  return { statements, log };
}

describe('reports page statement count', () => {
  it.each([
    ['a member', () => viewer],
    ['staff', () => staff],
  ])('is the same for first: 5 and first: 100: three (%s)', async (_label, who) => {
    const small = await statementsFor(5, who());
    const large = await statementsFor(100, who());
    if (small.statements !== large.statements || large.statements !== 3) {
      console.log(`first: 5\n${small.log.join('\n')}\n\nfirst: 100\n${large.log.join('\n')}`);
    }
    expect(small.statements).toBe(3);
    expect(large.statements).toBe(3);
  });

  it('item counts are right for every report of the page', async () => {
    const response = await server.op(CountedReportItemsDocument, {}, viewer);
    expect(response.errors).toBeUndefined();
    const counts: { report_id: string; n: string }[] = await server.db.query(
      `SELECT report_id, COUNT(*) AS n FROM report_items GROUP BY report_id`,
    );
    const expected = new Map(counts.map((c) => [c.report_id, Number(c.n)]));
    for (const node of response.data!.reports.nodes) {
      expect(node.items.totalCount).toBe(expected.get(node.id) ?? 0);
      expect(node.items.nodes).toHaveLength(expected.get(node.id) ?? 0);
    }
  });

  it('items pages of every report of the page cost the same for 5 and 100 reports', async () => {
    const query = CountedReportItemPagesDocument;
    const small = await server.countStatements(() => server.op(query, { first: 5 }, viewer));
    const large = await server.countStatements(() => server.op(query, { first: 100 }, viewer));
    expect(small.result.errors).toBeUndefined();
    expect(large.result.errors).toBeUndefined();
    expect(large.statements).toBe(small.statements);
  });
});
