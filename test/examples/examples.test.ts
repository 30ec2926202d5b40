import fs from 'node:fs';
import path from 'node:path';
import { Kind, OperationTypeNode, parse, print, type OperationDefinitionNode } from 'graphql';
import * as generated from '../../examples/generated/graphql';
import {
  Account,
  AgencyConnection,
  ReportingItem,
  Report,
  User,
  type Account as AccountRow,
} from '../../src/entities';
import { seedDemoWorldIfEmpty } from '../../src/seed/demo-world';
import { factories } from '../helpers/factories';
import { useTestServer } from '../helpers/test-server';

/**
 * Every operation under examples/operations runs against the demo world, through the typed
 * documents codegen made from it, so the examples (and the explorer tabs made of them) never rot.
 * Accepted: data without errors or user errors.
 */
const OPERATIONS_DIR = path.resolve(__dirname, '../../examples/operations');
const files = fs
  .readdirSync(OPERATIONS_DIR)
  .filter((f) => f.endsWith('.graphql'))
  .sort();

const operationOf = (file: string) => {
  const document = parse(fs.readFileSync(path.join(OPERATIONS_DIR, file), 'utf8'));
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  expect(operations).toHaveLength(1);
  return { document, operation: operations[0], name: operations[0].name!.value };
};

const { server } = useTestServer();
let admin: User;
let ids: Record<string, string>;

beforeAll(async () => {
  const demo = await seedDemoWorldIfEmpty(server.db, server.database.env);
  expect(demo).not.toBeNull();
  const accounts = server.db.getRepository(Account);
  const named = (name: string) => accounts.findOneByOrFail({ name });
  const agency = await named('Northwind Agency');
  const globex: AccountRow = await named('Globex');
  const initech = await named('Initech');
  admin = await server.db.getRepository(User).findOneByOrFail({ email: 'admin@northwind.example' });
  const connection = await server.db
    .getRepository(AgencyConnection)
    .findOneByOrFail({ agencyId: agency.id });
  const report = await server.db
    .getRepository(Report)
    .findOneByOrFail({ name: 'Globex spring campaign' });
  // An archived report the admin could open when it was archived (R16), for the partner flow.
  const items = await server.db.getRepository(ReportingItem).findBy({ accountId: globex.id });
  const archived = await factories(server.db).report(globex, {
    name: 'Globex winter campaign (archived)',
    items,
    snapshot: [admin],
  });
  const user = (email: string) => server.db.getRepository(User).findOneByOrFail({ email });
  ids = {
    manager: (await user('manager@northwind.example')).id,
    regular: (await user('regular@northwind.example')).id,
    agency: agency.id,
    globex: globex.id,
    initech: initech.id,
    connection: connection.id,
    report: report.id,
    archived: archived.id,
  };
  // R31: a disconnection of the connection scheduled ahead, for the cancel example.
  const [scheduled] = await server.db.query(
    `INSERT INTO scheduled_disconnections (connection_id, scheduling_account_id, run_at, scheduled_by_id)
     VALUES ($1, $2, now() + interval '30 days', $3) RETURNING id`,
    [connection.id, agency.id, admin.id],
  );
  ids.schedule = scheduled.id;
});

/** Variables for each example, in terms of the demo world. */
const variables: Record<string, () => Record<string, unknown>> = {
  Viewer: () => ({}),
  Accounts: () => ({ type: 'CLIENT', archived: false }),
  AgencyClients: () => ({ agencyId: ids.agency, archived: false }),
  ReportsPage: () => ({ archived: false, first: 20 }),
  ReportDetail: () => ({ id: ids.report }),
  ArchivedReports: () => ({ accountId: ids.globex, first: 50 }),
  ExportReport: () => ({ reportId: ids.archived, format: 'CSV' }),
  DisconnectClientPreview: () => ({ clientAccountId: ids.initech }),
  DisconnectAgencyPreview: () => ({ connectionId: ids.connection }),
  DisconnectClient: () => ({ clientAccountId: ids.initech }),
  ScheduleDisconnection: () => ({
    input: {
      clientAccountId: ids.initech,
      runAt: new Date(Date.now() + 30 * 24 * 3600_000).toISOString(),
    },
  }),
  CancelScheduledDisconnection: () => ({ scheduleId: ids.schedule }),
  DisconnectClientsPreview: () => ({ clientAccountIds: [ids.globex, ids.initech] }),
  DisconnectClients: () => ({ clientAccountIds: [ids.globex] }),
  DisconnectAgency: () => ({ connectionId: ids.connection }),
  ShareReport: () => ({ reportId: ids.report, userIds: [ids.manager] }),
  ChangeMemberRole: () => ({ accountId: ids.agency, userId: ids.regular, role: 'ACCOUNT_MANAGER' }),
  ExplainAccess: () => ({ userId: ids.manager, accountId: ids.initech }),
  AccessReview: () => ({ accountId: ids.agency, first: 20 }),
  SetConnectionAccess: () => ({
    connectionId: ids.connection,
    access: 'SELECTED_USERS',
    userIds: [ids.manager],
  }),
};

/** Queries first, then mutations (which change the world), disconnections last. */
const order = (file: string) => {
  const { operation, name } = operationOf(file);
  if (operation.operation === OperationTypeNode.QUERY) return 0;
  return name.startsWith('Disconnect') ? 2 : 1;
};
const ordered = [...files].sort((a, b) => order(a) - order(b) || a.localeCompare(b));

it('has an example for every page of the frontend and the partner flow', () => {
  expect(files.map((f) => operationOf(f).name).sort()).toEqual(Object.keys(variables).sort());
});

describe.each(ordered)('examples/operations/%s', (file) => {
  const { name } = operationOf(file);

  it('runs against the demo world without errors', async () => {
    const typed = (generated as Record<string, any>)[`${name}Document`];
    const response = await server.gql(print(typed), variables[name](), admin);
    expect((response.errors ?? []).map((e) => e.extensions?.code)).toEqual([]);
    expect(response.status).toBe(200);
    expect(response.data).toBeTruthy();
    for (const value of Object.values(response.data!)) {
      expect(value).not.toBeNull();
      if (value && typeof value === 'object' && 'userErrors' in value) {
        expect(value.userErrors).toEqual([]);
      }
    }
    if (name === 'ReportsPage') expect(response.data!.reports.totalCount).toBeGreaterThan(0);
    if (name === 'ReportDetail') expect(response.data!.report.items.totalCount).toBe(3);
    if (name === 'DisconnectClients') {
      expect(response.data!.disconnectClients.results).toMatchObject([
        { clientAccountId: ids.globex, account: { status: 'ARCHIVED' }, userErrors: [] },
      ]);
    }
    if (name === 'ArchivedReports') {
      expect(response.data!.reports.nodes.map((r: { id: string }) => r.id)).toEqual([ids.archived]);
    }
  });
});
