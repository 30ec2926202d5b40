/**
 * A reports page reads the accounts and creators it shows in its own statement (issue 10): the
 * rows must be exactly those the by-id loaders would return, an API token still gets no creator
 * (R18), and the page costs two statements with the viewer's authentication whatever its size.
 */
import { AccountStatus, ReportVisibility, Role, type Account, type User } from '../../src/entities';
import { factories } from '../helpers/factories';
import { useTestServer } from '../helpers/test-server';
import { JoinedEdgesDocument, JoinedPageDocument } from '../generated/graphql';

const { server } = useTestServer();
let viewer: User;
let admin: User;
let clients: Account[];
let partnerToken: { token: string };
let archivedReportId: string;

beforeAll(async () => {
  const f = factories(server.db);
  const agency = await f.agency();
  viewer = await f.member(agency, Role.REGULAR);
  admin = await f.member(agency, Role.ADMIN);
  clients = [await f.client(agency), await f.client(agency)];
  for (const [i, client] of clients.entries()) {
    for (let r = 0; r < 12; r++) {
      await f.report(client, { createdById: [viewer.id, admin.id, null][(r + i) % 3] });
    }
  }
  // Not the viewer's: a RESTRICTED report of someone else, which must not appear.
  await f.report(clients[0], { visibility: ReportVisibility.RESTRICTED, createdById: admin.id });
  const archived = await f.client(agency, {
    status: AccountStatus.ARCHIVED,
    archivedAt: new Date(),
  });
  archivedReportId = (await f.report(archived, { createdById: admin.id, snapshot: [admin] })).id;
  partnerToken = await f.apiToken(agency, admin);
});

const PAGE = JoinedPageDocument;

interface Node {
  id: string;
  account: { id: string; name: string; type: string; status: string };
  createdBy: { id: string; name: string; email: string } | null;
}

/** What the database says each report's account and creator are. */
async function expectedFor(ids: string[]) {
  const rows: {
    id: string;
    account_id: string;
    account_name: string;
    type: string;
    status: string;
    user_id: string | null;
    user_name: string | null;
    email: string | null;
  }[] = await server.db.query(
    `SELECT r.id, a.id AS account_id, a.name AS account_name, a.type, a.status,
            u.id AS user_id, u.name AS user_name, u.email
       FROM reports r JOIN accounts a ON a.id = r.account_id
       LEFT JOIN users u ON u.id = r.created_by_id
      WHERE r.id = ANY($1)`,
    [ids],
  );
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        account: { id: row.account_id, name: row.account_name, type: row.type, status: row.status },
        createdBy: row.user_id
          ? { id: row.user_id, name: row.user_name!, email: row.email! }
          : null,
      },
    ]),
  );
}

describe('reports page with its accounts and creators', () => {
  it('shows each report with its own account and creator, null where it has none', async () => {
    const response = await server.op(PAGE, { first: 100 }, viewer);
    expect(response.errors).toBeUndefined();
    const nodes: Node[] = response.data!.reports.nodes;
    expect(nodes).toHaveLength(24);
    expect(response.data!.reports.totalCount).toBe(24);
    const expected = await expectedFor(nodes.map((n) => n.id));
    expect(nodes).toEqual(nodes.map((n) => expected.get(n.id)));
    expect(nodes.filter((n) => n.createdBy === null)).toHaveLength(8);
    expect(new Set(nodes.map((n) => n.account.id))).toEqual(new Set(clients.map((c) => c.id)));
  });

  it('costs two statements (authentication and the page) for 5 rows and for 100', async () => {
    for (const first of [5, 100]) {
      const { result, statements, log } = await server.countStatements(() =>
        server.op(PAGE, { first }, viewer),
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.reports.nodes).toHaveLength(Math.min(first, 24));
      if (statements !== 2) console.log(log.join('\n\n'));
      expect(statements).toBe(2);
    }
  });

  it('reads the same rows through edges { node }', async () => {
    const response = await server.op(JoinedEdgesDocument, {}, viewer);
    expect(response.errors).toBeUndefined();
    const nodes = response.data!.reports.edges.map((e) => e.node as Node);
    const expected = await expectedFor(nodes.map((n: Node) => n.id));
    expect(nodes).toEqual(
      nodes.map((n: Node) => {
        const e = expected.get(n.id)!;
        return {
          id: n.id,
          account: { id: e.account.id },
          createdBy: e.createdBy && { id: e.createdBy.id },
        };
      }),
    );
  });

  it('gives an API token the archived report with its account and no creator (R18)', async () => {
    const response = await server.op(PAGE, { first: 20, archived: true }, partnerToken);
    expect(response.errors).toBeUndefined();
    const nodes: Node[] = response.data!.reports.nodes;
    expect(nodes.map((n) => n.id)).toEqual([archivedReportId]);
    expect(nodes[0].createdBy).toBeNull();
    expect(nodes[0].account.status).toBe('ARCHIVED');
  });
});
