/**
 * The reports list filters (archived, accountId, search) and I3: a change of access is seen by
 * the very next request (no permission cache outlives a request).
 */
import {
  type ReportFilter,
  TestReportIdDocument,
  TestSearchReportsDocument,
} from '../generated/graphql';
import {
  ClientAccessMode,
  ConnectionStatus,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { useTestServer } from '../helpers/test-server';

const { server, f } = useTestServer();
let agency: Account;
let client: Account;
let client2: Account;
let viewer: User;

async function search(filter: ReportFilter, as: User = viewer) {
  const response = await server.op(TestSearchReportsDocument, { filter }, as);
  expect(response.errors).toBeUndefined();
  expect(response.data!.reports.totalCount).toBe(response.data!.reports.nodes.length);
  return response.data!.reports.nodes.map((n) => n.name).sort();
}

beforeAll(async () => {
  agency = await f.agency();
  viewer = await f.member(agency, Role.REGULAR);
  client = await f.client(agency);
  client2 = await f.client(agency);
  for (const name of ['Q1 brand lift', 'q1 reach 50%', 'Q1_reach', 'Q2 reach', 'Back\\slash']) {
    await f.report(client, { name });
  }
  await f.report(client2, { name: 'Q1 other client' });
  await f.report(client, { name: 'Q1 archived', snapshot: [viewer] });
  await f.report(await f.client(await f.agency()), { name: 'Q1 elsewhere' });
});

describe('reports filters', () => {
  it('search matches names case-insensitively, with % _ and \\ taken literally', async () => {
    expect(await search({ search: 'q1' })).toEqual(
      ['Q1 brand lift', 'Q1 other client', 'Q1_reach', 'q1 reach 50%'].sort(),
    );
    expect(await search({ search: '50%' })).toEqual(['q1 reach 50%']);
    expect(await search({ search: '%' })).toEqual(['q1 reach 50%']);
    expect(await search({ search: 'Q1_' })).toEqual(['Q1_reach']);
    expect(await search({ search: '\\' })).toEqual(['Back\\slash']);
    expect(await search({ search: '   ' })).toHaveLength(6);
    expect(await search({ search: "'; DROP TABLE reports; --" })).toEqual([]);
  });

  it('combines search with archived and accountId', async () => {
    expect(await search({ search: 'q1', archived: true })).toEqual(['Q1 archived']);
    expect(await search({ search: 'q1', accountId: client2.id })).toEqual(['Q1 other client']);
    expect(await search({ accountId: client.id, archived: true })).toEqual(['Q1 archived']);
  });

  it('an invisible, unknown or malformed accountId lists nothing (never an error)', async () => {
    const elsewhere = await f.client(await f.agency());
    await f.report(elsewhere, { name: 'hidden' });
    expect(await search({ accountId: elsewhere.id })).toEqual([]);
    expect(await search({ accountId: '00000000-0000-4000-8000-000000000000' })).toEqual([]);
    expect(await search({ accountId: 'not-an-id' })).toEqual([]);
  });
});

describe('I3: access changes are seen by the next request', () => {
  const open = async (id: string, as: User) =>
    (await server.op(TestReportIdDocument, { id }, as)).data!.report !== null;

  it('revoking a grant, a membership or a connection hides the data at once', async () => {
    const selected = await f.client(agency, { clientAccess: ClientAccessMode.SELECTED_USERS });
    const granted = await f.member(agency, Role.REGULAR);
    await f.grant(selected, granted);
    const report = await f.report(selected);
    expect(await open(report.id, granted)).toBe(true);
    await server.db.query(`DELETE FROM client_access_grants WHERE user_id = $1`, [granted.id]);
    expect(await open(report.id, granted)).toBe(false);

    const member = await f.member(agency, Role.VIEW_ONLY);
    const everyone = await f.report(client);
    expect(await open(everyone.id, member)).toBe(true);
    await server.db.query(`DELETE FROM memberships WHERE user_id = $1`, [member.id]);
    expect(await open(everyone.id, member)).toBe(false);

    const premium = await f.premium();
    const connection = await f.connection(agency, premium, { status: ConnectionStatus.ACTIVE });
    const premiumReport = await f.report(premium);
    expect(await open(premiumReport.id, viewer)).toBe(true);
    await server.db.query(`UPDATE agency_connections SET status = 'DISCONNECTED' WHERE id = $1`, [
      connection.id,
    ]);
    expect(await open(premiumReport.id, viewer)).toBe(false);
  });
});
