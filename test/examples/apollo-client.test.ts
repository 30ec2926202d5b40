/**
 * Issue 26: the frontend's kind of client against a running server — Apollo Client 4 with
 * `InMemoryCache` and `relayStylePagination` over `reports`, and a mutation whose answer updates
 * the cached report by id (no refetch). What it needs from the API: stable ids and __typename on
 * every node, Relay-style edges with cursors and pageInfo, and mutation payloads that return the
 * object changed.
 */
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { filter, firstValueFrom } from 'rxjs';
import { Role, type User } from '../../src/entities';
import { ApolloExpectedOrderDocument, ApolloServedReportDocument } from '../generated/graphql';
import { factories } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
let editor: User;
let expectedOrder: string[];

beforeAll(async () => {
  server = await startTestServer();
  const f = factories(server.db);
  const agency = await f.agency({ name: 'Northwind' });
  editor = await f.member(agency, Role.ACCOUNT_MANAGER);
  const client = await f.client(agency, { name: 'Globex' });
  for (let i = 0; i < 25; i++) {
    await f.report(client, {
      name: `Report ${String(i).padStart(2, '0')}`,
      createdById: editor.id,
    });
  }
  const all = await server.op(ApolloExpectedOrderDocument, {}, editor);
  expectedOrder = all.data!.reports.nodes.map((n) => n.id);
});
afterAll(() => server?.stop());

const REPORTS = gql`
  query ReportsForApollo($first: Int!, $after: String) {
    reports(first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          name
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const RENAME = gql`
  mutation RenameForApollo($input: UpdateReportInput!) {
    updateReport(input: $input) {
      report {
        id
        name
      }
      userErrors {
        code
      }
    }
  }
`;

async function apolloFor(user: User) {
  const token = await server.tokenFor(user);
  return new ApolloClient({
    link: new HttpLink({
      uri: `${server.url}/graphql`,
      headers: { authorization: `Bearer ${token}` },
    }),
    cache: new InMemoryCache({
      typePolicies: { Query: { fields: { reports: relayStylePagination(['filter']) } } },
    }),
  });
}

interface ReportsData {
  reports: {
    totalCount: number;
    edges: { cursor: string; node: { __typename: string; id: string; name: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

describe('Apollo Client 4 (issue 26)', () => {
  it('pages `reports` with relayStylePagination into one cached list, in the server order', async () => {
    const apollo = await apolloFor(editor);
    const query = apollo.watchQuery<ReportsData>({ query: REPORTS, variables: { first: 10 } });
    // The first complete result, as a component's useQuery would render it.
    const first = await firstValueFrom(query.pipe(filter((result) => !result.loading)));
    const firstData = first.data as ReportsData;
    expect(firstData.reports.edges).toHaveLength(10);
    expect(firstData.reports.edges[0].node.__typename).toBe('Report');

    let page = firstData;
    while (page.reports.pageInfo.hasNextPage) {
      await query.fetchMore({ variables: { after: page.reports.pageInfo.endCursor } });
      page = apollo.readQuery<ReportsData>({ query: REPORTS, variables: { first: 10 } })!;
    }
    const ids = page.reports.edges.map((edge: { node: { id: string } }) => edge.node.id);
    expect(ids).toEqual(expectedOrder);
    expect(ids).toHaveLength(25);
    expect(page.reports.totalCount).toBe(25);
    expect(page.reports.pageInfo.hasNextPage).toBe(false);
    // Each report is one normalized object in the cache, by its id.
    const cache = apollo.extract() as Record<string, { name?: string }>;
    expect(Object.keys(cache).filter((key) => key.startsWith('Report:'))).toHaveLength(25);
    apollo.stop();
  });

  it('a mutation answer updates the cached report by id, with no refetch', async () => {
    const apollo = await apolloFor(editor);
    await apollo.query<ReportsData>({ query: REPORTS, variables: { first: 5 } });
    const target = expectedOrder[2];
    const renamed = await apollo.mutate<{
      updateReport: { report: { id: string; name: string }; userErrors: unknown[] };
    }>({ mutation: RENAME, variables: { input: { reportId: target, name: 'Renamed by Apollo' } } });
    expect(renamed.data!.updateReport.userErrors).toEqual([]);

    const fromCache = await apollo.query<ReportsData>({
      query: REPORTS,
      variables: { first: 5 },
      fetchPolicy: 'cache-only',
    });
    const names = Object.fromEntries(
      fromCache.data!.reports.edges.map((edge) => [edge.node.id, edge.node.name]),
    );
    expect(names[target]).toBe('Renamed by Apollo');
    // And the server agrees.
    const served = await server.op(ApolloServedReportDocument, { id: target }, editor);
    expect(served.data).toEqual({ report: { name: 'Renamed by Apollo' } });
    apollo.stop();
  });
});
