import { randomBytes } from 'node:crypto';
import {
  ApiToken,
  ClientAccessMode,
  ConnectionStatus,
  Membership,
  ReportVisibility,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { authorityOps as M } from '../helpers/authority-operations';
import { factories, type Factories } from '../helpers/factories';
import { inFlight, untilLockWait } from '../helpers/races';
import { pgOnly } from '../helpers/requirements';
import {
  startTestServer,
  type As,
  type GraphQLResponse,
  type TestServer,
} from '../helpers/test-server';

/**
 * Issue 30 #6 (R24, A1–A2): authority is decided on the locked row. For every kind of shield gate
 * a mutation can have, the caller is demoted by a transaction that holds the row the operation
 * locks — exactly the race of a member change committing between the gate and the service. The
 * operation must wait for it and then answer FORBIDDEN, changing nothing. PostgreSQL only: the
 * embedded database runs one transaction at a time, so nothing can be held meanwhile.
 */
const unique = () => randomBytes(4).toString('hex');
const { ADMIN, ACCOUNT_MANAGER, REGULAR, VIEW_ONLY } = Role;

interface Race {
  /** The gate the operation has in src/permissions/permission-map.ts. */
  gate: string;
  setup: () => Promise<{
    actor: User;
    /** The caller's membership that the racing transaction changes. */
    demote: { account: Account; role: Role };
    /** The row the operation locks first (table, id): the racing transaction holds it. */
    held: [string, string];
    run: (actor: User) => Promise<GraphQLResponse>;
    /** The state the refused operation must have left unchanged (a number or ids). */
    unchanged: () => Promise<unknown>;
  }>;
}

pgOnly('gates decided again on the locked rows (issue 30 #6)', () => {
  let server: TestServer;
  let f: Factories;
  beforeAll(async () => {
    server = await startTestServer();
    f = factories(server.db);
  });
  afterAll(() => server.stop());

  const count = async (sql: string, params: unknown[]) =>
    Number((await server.db.query(sql, params))[0].count);

  const races: Race[] = [
    {
      gate: 'actsForAsAdmin: addMember',
      setup: async () => {
        const agency = await f.agency();
        await f.member(agency, ADMIN);
        const actor = await f.member(agency, ADMIN);
        return {
          actor,
          demote: { account: agency, role: VIEW_ONLY },
          held: ['accounts', agency.id],
          run: (as) =>
            server.op(
              M.addMember,
              {
                input: {
                  accountId: agency.id,
                  email: `new-${unique()}@example.com`,
                  name: 'New',
                  role: ADMIN,
                },
              },
              as,
            ),
          unchanged: () => server.db.getRepository(Membership).countBy({ accountId: agency.id }),
        };
      },
    },
    {
      gate: 'actsForAsManager: createClientAccount',
      setup: async () => {
        const agency = await f.agency();
        const actor = await f.member(agency, ACCOUNT_MANAGER);
        return {
          actor,
          demote: { account: agency, role: REGULAR },
          held: ['accounts', agency.id],
          run: (as) =>
            server.op(
              M.createClient,
              {
                input: {
                  agencyId: agency.id,
                  name: `Client ${unique()}`,
                  organizationName: `Org ${unique()}`,
                  access: ClientAccessMode.EVERYONE_IN_AGENCY,
                },
              },
              as,
            ),
          unchanged: () => count(`SELECT count(*) FROM accounts WHERE agency_id = $1`, [agency.id]),
        };
      },
    },
    {
      gate: 'actsForAsAdmin: createApiToken',
      setup: async () => {
        const premium = await f.premium();
        await f.member(premium, ADMIN);
        const actor = await f.member(premium, ADMIN);
        return {
          actor,
          demote: { account: premium, role: REGULAR },
          held: ['accounts', premium.id],
          run: (as) =>
            server.op(M.createToken, { input: { accountId: premium.id, name: 'partner' } }, as),
          unchanged: () => server.db.getRepository(ApiToken).countBy({ accountId: premium.id }),
        };
      },
    },
    {
      gate: 'actsForAsAdmin (token account): revokeApiToken',
      setup: async () => {
        const premium = await f.premium();
        const maker = await f.member(premium, ADMIN);
        const actor = await f.member(premium, ADMIN);
        const { apiToken } = await f.apiToken(premium, maker);
        return {
          actor,
          demote: { account: premium, role: REGULAR },
          held: ['api_tokens', apiToken.id],
          run: (as) => server.op(M.revokeToken, { id: apiToken.id }, as),
          unchanged: () =>
            count(`SELECT count(*) FROM api_tokens WHERE id = $1 AND revoked_at IS NULL`, [
              apiToken.id,
            ]),
        };
      },
    },
    {
      gate: 'reachesAsEditor: createReport on a client',
      setup: async () => {
        const agency = await f.agency();
        const client = await f.client(agency, {
          clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY,
        });
        const actor = await f.member(agency, REGULAR);
        return {
          actor,
          demote: { account: agency, role: VIEW_ONLY },
          held: ['accounts', client.id],
          run: (as) =>
            server.op(
              M.createReport,
              { input: { accountId: client.id, name: 'Q4', itemIds: [] } },
              as,
            ),
          unchanged: () => count(`SELECT count(*) FROM reports WHERE account_id = $1`, [client.id]),
        };
      },
    },
    {
      gate: 'reachesAsAdmin: recordCampaignData',
      setup: async () => {
        const premium = await f.premium();
        const actor = await f.member(premium, ADMIN);
        await f.member(premium, ADMIN);
        const item = await f.item(premium);
        return {
          actor,
          demote: { account: premium, role: REGULAR },
          held: ['reporting_items', item.id],
          run: (as) =>
            server.op(
              M.record,
              { input: { itemId: item.id, impressions: 10, clicks: 1, reach: 5 } },
              as,
            ),
          unchanged: () =>
            count(`SELECT count(*) FROM reporting_items WHERE id = $1 AND impressions > 0`, [
              item.id,
            ]),
        };
      },
    },
    {
      gate: 'actsForClientAsManager: disconnectClient',
      setup: async () => {
        const agency = await f.agency();
        await f.member(agency, ADMIN);
        const actor = await f.member(agency, ACCOUNT_MANAGER);
        const client = await f.client(agency, {
          clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY,
        });
        return {
          actor,
          demote: { account: agency, role: REGULAR },
          held: ['accounts', agency.id],
          run: (as) => server.op(M.disconnectClient, { id: client.id }, as),
          unchanged: () =>
            count(`SELECT count(*) FROM accounts WHERE id = $1 AND status = 'ACTIVE'`, [client.id]),
        };
      },
    },
    {
      gate: 'isReportCreatorOrAdmin: deleteReport by a premium ADMIN',
      setup: async () => {
        const premium = await f.premium();
        const creator = await f.member(premium, REGULAR);
        const actor = await f.member(premium, ADMIN);
        await f.member(premium, ADMIN);
        const report = await f.report(premium, {
          createdById: creator.id,
          visibility: ReportVisibility.ACCOUNT,
        });
        return {
          actor,
          demote: { account: premium, role: REGULAR },
          held: ['accounts', premium.id],
          run: (as) => server.op(M.deleteReport, { id: report.id }, as),
          unchanged: () => count(`SELECT count(*) FROM reports WHERE id = $1`, [report.id]),
        };
      },
    },
    ...(['either', 'agency', 'responder', 'requester'] as const).map((side): Race => ({
      gate: `connectionSide(${side})`,
      setup: async () => {
        const agency = await f.agency();
        const premium = await f.premium();
        await f.member(agency, ADMIN);
        await f.member(premium, ADMIN);
        // The agency requested; the responder is the premium.
        const onPremium = side === 'responder';
        const actor = await f.member(onPremium ? premium : agency, ACCOUNT_MANAGER);
        const pending = side === 'responder' || side === 'requester';
        const k = await f.connection(agency, premium, {
          status: pending ? ConnectionStatus.PENDING : ConnectionStatus.ACTIVE,
          requestedByAccountId: agency.id,
          respondedAt: pending ? null : new Date(),
        });
        const account = onPremium ? premium : agency;
        const run = {
          either: (as: As) => server.op(M.disconnectAgency, { id: k.id }, as),
          agency: (as: As) =>
            server.op(
              M.setConnectionAccess,
              { input: { connectionId: k.id, access: 'SELECTED_USERS', userIds: [] } },
              as,
            ),
          responder: (as: As) => server.op(M.accept, { id: k.id }, as),
          requester: (as: As) => server.op(M.cancel, { id: k.id }, as),
        }[side];
        return {
          actor,
          demote: { account, role: REGULAR },
          // disconnectAgency locks the premium first; the others both sides in id order.
          held: ['accounts', side === 'either' ? premium.id : [agency.id, premium.id].sort()[0]],
          run,
          unchanged: async () =>
            (
              await server.db.query(
                `SELECT status, client_access FROM agency_connections WHERE id = $1`,
                [k.id],
              )
            )[0],
        };
      },
    })),
  ];

  it.each(races.map((race) => [race.gate, race] as const))(
    '%s: a demotion committed while the operation waits for its lock → FORBIDDEN, nothing changed',
    async (_gate, race) => {
      const { actor, demote, held, run, unchanged } = await race.setup();
      const before = await unchanged();
      const demotion = await inFlight(server.db, [
        [`SELECT 1 FROM ${held[0]} WHERE id = $1 FOR UPDATE`, [held[1]]],
        [
          `UPDATE memberships SET role = $1 WHERE account_id = $2 AND user_id = $3`,
          [demote.role, demote.account.id, actor.id],
        ],
      ]);
      let answer: Promise<GraphQLResponse>;
      try {
        answer = run(actor);
        await untilLockWait(server.db);
      } catch (error) {
        await demotion.rollback();
        throw error;
      }
      await demotion.commit();
      const response = await answer;
      expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(await unchanged()).toEqual(before);
    },
  );
});
