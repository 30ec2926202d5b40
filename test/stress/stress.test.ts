import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Client } from 'pg';
import {
  type Account,
  AccountType,
  ClientAccessMode,
  ConnectionStatus,
  Role,
  type User,
} from '../../src/entities';
import { runSchedulerTick } from '../../src/jobs/disconnection-scheduler';
import { transactionRetries } from '../../src/services/transaction';
import { authorityOps as M } from '../helpers/authority-operations';
import { factories, type Factories } from '../helpers/factories';
import { mulberry32 } from '../helpers/random';
import { pgOnly } from '../helpers/requirements';
import { type As, startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Concurrency stress harness (issue 16): STRESS_CLIENTS concurrent clients (default 16) send
 * random operations as random users of a world where several agencies share premium clients —
 * connection requests and answers, disconnections of agencies and clients, client creation,
 * reports and items, access changes, tokens, exports and reads. Every answer must be a success or
 * a coded error (never a 5xx, never INTERNAL_SERVER_ERROR); afterwards SQL written here checks
 * I1–I4. With STRESS_KILL_RATE > 0 a killer terminates random backends of the database meanwhile
 * (`pg_terminate_backend`); requests that lost their connection may then fail, but the checks
 * must still hold: nothing partial.
 *
 * PostgreSQL only (the embedded database runs one transaction at a time). CI runs the default
 * (STRESS_OPS = 1,000); `npm run test:stress -- --ops 20000 --seed 7 --kill-rate 0.01` runs long.
 */
const OPS = Number(process.env.STRESS_OPS ?? 1000);
const SEED = Number(process.env.STRESS_SEED ?? 16);
const CLIENTS = Number(process.env.STRESS_CLIENTS ?? 16);
const KILL_RATE = Number(process.env.STRESS_KILL_RATE ?? 0);

pgOnly('concurrency stress harness (I1–I4)', () => {
  let server: TestServer;
  let f: Factories;
  const agencies: { account: Account; managers: User[]; editors: User[]; churn: User }[] = [];
  const premiums: { account: Account; managers: User[] }[] = [];
  let staff: User;

  beforeAll(async () => {
    server = await startTestServer({ DB_POOL_SIZE: '20' });
    f = factories(server.db);
    staff = await f.staff();
    for (let i = 0; i < 3; i += 1) {
      const account = await f.agency({ name: `Agency ${i}` });
      const managers = [
        await f.member(account, Role.ADMIN),
        await f.member(account, Role.ADMIN),
        await f.member(account, Role.ACCOUNT_MANAGER),
      ];
      const editors = [...managers, await f.member(account, Role.REGULAR)];
      await f.member(account, Role.VIEW_ONLY);
      // A REGULAR who leaves and rejoins the agency during the run (R24).
      const churn = await f.member(account, Role.REGULAR);
      agencies.push({ account, managers, editors, churn });
      for (let c = 0; c < 3; c += 1) {
        const client = await f.client(account, {
          clientAccess: c === 2 ? ClientAccessMode.SELECTED_USERS : undefined,
        });
        await f.member(client, Role.VIEW_ONLY);
        const items = [await f.item(client), await f.item(client)];
        await f.report(client, { items, createdById: editors[0].id });
      }
    }
    for (let i = 0; i < 2; i += 1) {
      const account = await f.premium({ name: `Premium ${i}` });
      const managers = [
        await f.member(account, Role.ADMIN),
        await f.member(account, Role.ADMIN),
        await f.member(account, Role.ACCOUNT_MANAGER),
      ];
      premiums.push({ account, managers });
      await f.report(account, { items: [await f.item(account)] });
    }
    // Premium 0 is shared by agencies 0 and 1; premium 1 is connected to agency 2.
    await f.connection(agencies[0].account, premiums[0].account);
    await f.connection(agencies[1].account, premiums[0].account);
    await f.connection(agencies[2].account, premiums[1].account);
  });
  afterAll(() => server?.stop());

  /**
   * Rows the harness picks targets from, read fresh so operations hit live rows. Under kills the
   * harness's own reads may lose their connection too: they then pick nothing.
   */
  async function liveRows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return await server.db.query(sql, params);
    } catch (error) {
      if (KILL_RATE > 0) return [];
      throw error;
    }
  }
  const liveIds = async (sql: string, params: unknown[] = []) =>
    (await liveRows<{ id: string }>(sql, params)).map((row) => row.id);

  it(
    `${OPS} random operations by ${CLIENTS} concurrent clients leave no partial state`,
    async () => {
      const rand = mulberry32(SEED);
      const pick = <T>(list: T[]): T | undefined =>
        list.length ? list[Math.floor(rand() * list.length)] : undefined;
      const tally = new Map<string, number>();
      const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
      const failures: string[] = [];
      const retriesBefore = transactionRetries.count;
      let kills = 0;
      let done = 0;

      const send = async <V extends Record<string, unknown>>(
        name: string,
        document: TypedDocumentNode<any, V>,
        variables: V,
        as: As,
      ) => {
        let response;
        try {
          response = await server.op(document, variables, as);
        } catch (error) {
          count(`${name}:NETWORK`);
          failures.push(`${name}: ${(error as Error).message}`);
          return null;
        }
        const codes = [
          ...(response.errors ?? []).map((e) => String(e.extensions?.code ?? 'UNCODED')),
          ...Object.values(response.data ?? {}).flatMap((payload) =>
            ((payload as { userErrors?: { code: string }[] } | null)?.userErrors ?? []).map(
              (e) => e.code,
            ),
          ),
        ];
        count(codes.length ? `${name}:${codes.join('+')}` : `${name}:ok`);
        const bad =
          response.status >= 500 ||
          codes.includes('INTERNAL_SERVER_ERROR') ||
          codes.includes('UNCODED');
        if (bad && KILL_RATE === 0) {
          failures.push(
            `${name} ${JSON.stringify(variables)} → ${response.status} ${codes.join(',')}`,
          );
        }
        if (bad && KILL_RATE > 0) count('lost-to-kill');
        return response;
      };

      // R31: the scheduler's clock, advanced by the harness (never real waiting).
      const HOUR = 3600_000;
      let clock = Date.now();
      const agencyUser = (a = pick(agencies)!) => pick(a.managers)!;
      const anyManager = () => (rand() < 0.5 ? agencyUser() : pick(pick(premiums)!.managers)!);

      const operations: [number, () => Promise<unknown>][] = [
        [
          8,
          async () => {
            const a = pick(agencies)!;
            const p = pick(premiums)!;
            const fromAgency = rand() < 0.5;
            return send(
              'requestConnection',
              M.request,
              {
                input: {
                  fromAccountId: fromAgency ? a.account.id : p.account.id,
                  toAccountId: fromAgency ? p.account.id : a.account.id,
                },
              },
              fromAgency ? pick(a.managers)! : pick(p.managers)!,
            );
          },
        ],
        [
          12,
          async () => {
            // Both sides' managers answer the same request at once: one wins, one gets INVALID_STATE.
            const id = pick(
              await liveIds(`SELECT id FROM agency_connections WHERE status = 'PENDING'`),
            );
            if (!id) return null;
            const answer = pick([M.accept, M.decline, M.cancel])!;
            return Promise.all([
              send('answer', answer, { id }, anyManager()),
              send('answer', pick([M.accept, M.decline])!, { id }, anyManager()),
            ]);
          },
        ],
        [
          4,
          async () => {
            const id = pick(
              await liveIds(
                `SELECT id FROM agency_connections WHERE status IN ('ACTIVE', 'DISCONNECTED')`,
              ),
            );
            return id && send('disconnectAgency', M.disconnectAgency, { id }, anyManager());
          },
        ],
        [
          4,
          async () => {
            const a = pick(agencies)!;
            const id = pick(
              await liveIds(`SELECT id FROM accounts WHERE agency_id = $1`, [a.account.id]),
            );
            if (!id) return null;
            // A double click: the same disconnection twice at once (I4).
            return Promise.all([
              send('disconnectClient', M.disconnectClient, { id }, pick(a.managers)!),
              send('disconnectClient', M.disconnectClient, { id }, pick(a.managers)!),
              send('previewClient', M.clientPreview, { id }, pick(a.managers)!),
            ]);
          },
        ],
        [
          6,
          async () => {
            const a = pick(agencies)!;
            return send(
              'createClientAccount',
              M.createClient,
              {
                input: {
                  agencyId: a.account.id,
                  name: `Client ${done}`,
                  organizationName: `Brand ${done}`,
                  access: pick([
                    ClientAccessMode.EVERYONE_IN_AGENCY,
                    ClientAccessMode.SELECTED_USERS,
                  ])!,
                },
              },
              pick(a.managers)!,
            );
          },
        ],
        [
          14,
          async () => {
            const a = pick(agencies)!;
            const accountId = pick(
              await liveIds(
                `SELECT id FROM accounts WHERE agency_id = $1
               UNION ALL SELECT premium_client_id FROM agency_connections
                WHERE agency_id = $1 AND status = 'ACTIVE'`,
                [a.account.id],
              ),
            );
            if (!accountId) return null;
            const as = pick(a.editors)!;
            const item = await send(
              'createReportingItem',
              M.createItem,
              { input: { accountId, name: `Item ${done}` } },
              as,
            );
            const itemId = item?.data?.createReportingItem?.item?.id as string | undefined;
            return send(
              'createReport',
              M.createReport,
              { input: { accountId, name: `Report ${done}`, itemIds: itemId ? [itemId] : [] } },
              as,
            );
          },
        ],
        [
          6,
          async () => {
            const a = pick(agencies)!;
            const [report] = await liveRows<{ id: string; account_id: string }>(
              `SELECT r.id, r.account_id FROM reports r JOIN accounts c ON c.id = r.account_id
              WHERE c.agency_id = $1 ORDER BY random() LIMIT 1`,
              [a.account.id],
            );
            if (!report) return null;
            const itemIds = await liveIds(
              `SELECT id FROM reporting_items WHERE account_id = $1 ORDER BY random() LIMIT 2`,
              [report.account_id],
            );
            return send(
              'addReportItems',
              M.addReportItems,
              { input: { reportId: report.id, itemIds } },
              pick(a.editors)!,
            );
          },
        ],
        [
          5,
          async () => {
            const a = pick(agencies)!;
            const id = pick(
              await liveIds(`SELECT id FROM accounts WHERE agency_id = $1`, [a.account.id]),
            );
            const mode = pick([
              ClientAccessMode.EVERYONE_IN_AGENCY,
              ClientAccessMode.SELECTED_USERS,
            ])!;
            return (
              id &&
              send(
                'setClientAccess',
                M.setClientAccess,
                { input: { accountId: id, access: mode, userIds: [pick(a.editors)!.id] } },
                pick(a.managers)!,
              )
            );
          },
        ],
        [
          5,
          async () => {
            const a = pick(agencies)!;
            const id = pick(
              await liveIds(
                `SELECT id FROM agency_connections WHERE agency_id = $1 AND status IN ('PENDING', 'ACTIVE')`,
                [a.account.id],
              ),
            );
            const mode = pick([
              ClientAccessMode.EVERYONE_IN_AGENCY,
              ClientAccessMode.SELECTED_USERS,
            ])!;
            return (
              id &&
              send(
                'setConnectionAccess',
                M.setConnectionAccess,
                { input: { connectionId: id, access: mode, userIds: [pick(a.editors)!.id] } },
                pick(a.managers)!,
              )
            );
          },
        ],
        [
          2,
          async () => {
            const a = pick(agencies)!;
            return send(
              'createApiToken',
              M.createToken,
              { input: { accountId: a.account.id, name: `token ${done}` } },
              a.managers[0],
            );
          },
        ],
        [
          4,
          async () => {
            const a = pick(agencies)!;
            const id = pick(
              await liveIds(
                `SELECT r.id FROM reports r JOIN accounts c ON c.id = r.account_id
                WHERE c.agency_id = $1 ORDER BY random() LIMIT 3`,
                [a.account.id],
              ),
            );
            return (
              id &&
              send(
                'exportReport',
                M.exportReportLink,
                { input: { reportId: id, format: 'CSV' } },
                a.managers[0],
              )
            );
          },
        ],
        [
          4,
          async () => {
            // R24 racing everything else: a member leaves or rejoins, or an ADMIN is removed (the last
            // one is kept by LAST_ADMIN).
            const a = pick(agencies)!;
            const roll = rand();
            const admin = pick(a.managers.slice(0, 2))!;
            if (roll < 0.4) {
              return send(
                'removeMember',
                M.removeMember,
                { input: { accountId: a.account.id, userId: a.churn.id } },
                admin,
              );
            }
            if (roll < 0.8) {
              const input = {
                accountId: a.account.id,
                email: a.churn.email,
                name: a.churn.name,
                role: Role.REGULAR,
              };
              return send('addMember', M.addMember, { input }, admin);
            }
            return send(
              'removeMember',
              M.removeMember,
              { input: { accountId: a.account.id, userId: admin.id } },
              staff,
            );
          },
        ],
        [
          4,
          async () => {
            // R25 racing disconnections: share or delete a report of the agency's clients.
            const a = pick(agencies)!;
            const id = pick(
              await liveIds(
                `SELECT r.id FROM reports r JOIN accounts c ON c.id = r.account_id
                  WHERE c.agency_id = $1 ORDER BY random() LIMIT 3`,
                [a.account.id],
              ),
            );
            if (!id) return null;
            if (rand() < 0.5) return send('deleteReport', M.deleteReport, { id }, a.managers[0]);
            const input = { reportId: id, userIds: [pick(a.editors)!.id] };
            return send('shareReport', M.share, { input }, a.managers[0]);
          },
        ],
        [
          3,
          async () => {
            // R31: schedule a link's disconnection 1 hour to 3 days past the harness clock.
            const a = pick(agencies)!;
            const links = await liveRows<{ id: string; kind: string }>(
              `SELECT id, 'client' AS kind FROM accounts WHERE agency_id = $1 AND status = 'ACTIVE'
               UNION ALL SELECT id, 'connection' FROM agency_connections
                WHERE agency_id = $1 AND status = 'ACTIVE'`,
              [a.account.id],
            );
            const link = pick(links);
            if (!link) return null;
            const runAt = new Date(Math.max(clock, Date.now()) + HOUR + rand() * 3 * 24 * HOUR);
            const input =
              link.kind === 'client'
                ? { clientAccountId: link.id, runAt: runAt.toISOString() }
                : { connectionId: link.id, runAt: runAt.toISOString() };
            return send('scheduleDisconnection', M.schedule, { input }, pick(a.managers)!);
          },
        ],
        [
          2,
          async () => {
            const id = pick(
              await liveIds(`SELECT id FROM scheduled_disconnections WHERE status = 'SCHEDULED'`),
            );
            return (
              id && send('cancelScheduledDisconnection', M.cancelSchedule, { id }, anyManager())
            );
          },
        ],
        [
          3,
          async () => {
            // R31: time passes (0 to 12 hours) and the scheduler ticks, racing everything else.
            clock += rand() * 12 * HOUR;
            try {
              const { runs } = await runSchedulerTick(
                { db: server.db, env: server.database.env },
                new Date(clock),
              );
              for (const result of Object.values(runs)) count(`scheduledRun:${result}`);
            } catch (error) {
              count('schedulerTick:ERROR');
              if (KILL_RATE === 0) failures.push(`scheduler tick: ${(error as Error).message}`);
            }
            return null;
          },
        ],
        [
          2,
          async () => {
            // R32: a few clients of one agency at once, racing their single disconnections.
            const a = pick(agencies)!;
            const ids = await liveIds(
              `SELECT id FROM accounts WHERE agency_id = $1 ORDER BY random() LIMIT 3`,
              [a.account.id],
            );
            return (
              ids.length &&
              send('disconnectClients', M.disconnectClients, { ids }, pick(a.managers)!)
            );
          },
        ],
        [
          30,
          async () => {
            const as =
              rand() < 0.8 ? pick(pick(agencies)!.editors)! : rand() < 0.5 ? staff : anyManager();
            return send('read', pick([M.reports, M.archived, M.accounts])!, {}, as);
          },
        ],
      ];
      const totalWeight = operations.reduce((sum, [weight]) => sum + weight, 0);
      const nextOperation = () => {
        let roll = rand() * totalWeight;
        for (const [weight, run] of operations) {
          roll -= weight;
          if (roll <= 0) return run;
        }
        return operations[operations.length - 1][1];
      };

      let stopKiller = false;
      const killer = (async () => {
        if (KILL_RATE <= 0) return;
        const admin = new Client({ connectionString: server.database.url });
        // The killer's connection ends with the test database; that is no failure of the run.
        admin.on('error', () => undefined);
        await admin.connect();
        const database = new URL(server.database.url).pathname.slice(1);
        while (!stopKiller) {
          await new Promise((resolve) => setTimeout(resolve, 5 + rand() * 20));
          if (rand() >= KILL_RATE * 20) continue;
          const rows: { killed: boolean }[] = (
            await admin.query(
              `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
              WHERE datname = $1 AND pid <> pg_backend_pid() AND state <> 'idle'
              ORDER BY random() LIMIT 1`,
              [database],
            )
          ).rows;
          kills += rows.filter((row) => row.killed).length;
        }
        await admin.end();
      })();

      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (done < OPS) {
            done += 1;
            await nextOperation()();
          }
        }),
      );
      stopKiller = true;
      await killer;
      // Every schedule ends: the clock passes the last runAt (a year on), with no kills.
      const drained = await runSchedulerTick(
        { db: server.db, env: server.database.env, batchSize: 10_000 },
        new Date(clock + 400 * 24 * HOUR),
      );
      for (const result of Object.values(drained.runs)) count(`scheduledRun:${result}`);

      const summary = [...tally.entries()].sort(([a], [b]) => a.localeCompare(b));
      const retries = transactionRetries.count - retriesBefore;
      console.log(
        [
          `stress: ${done} operations, ${CLIENTS} clients, seed ${SEED}, kill rate ${KILL_RATE}`,
          `retries after deadlock/serialization failure: ${retries}; backends killed: ${kills}`,
          ...summary.map(([key, n]) => `  ${key}: ${n}`),
        ].join('\n'),
      );
      expect(failures).toEqual([]);
      await checkInvariants(server);
    },
    Math.max(120_000, OPS * 200),
  );
});

/** I1–I4 as SQL over the final state; each query lists the rows that break the rule. */
async function checkInvariants(server: TestServer) {
  const violations = async (name: string, sql: string) => {
    const rows: unknown[] = await server.db.query(sql);
    return rows.length ? [`${name}: ${JSON.stringify(rows.slice(0, 5))}`] : [];
  };
  const found = [
    // I1, I2, R11, R12: nothing ACTIVE or unfrozen on an archived client.
    ...(await violations(
      'active report on an archived client',
      `SELECT r.id FROM reports r JOIN accounts a ON a.id = r.account_id
        WHERE a.type = '${AccountType.CLIENT}' AND a.status = 'ARCHIVED' AND r.status = 'ACTIVE'`,
    )),
    ...(await violations(
      'unfrozen item on an archived client',
      `SELECT i.id FROM reporting_items i JOIN accounts a ON a.id = i.account_id
        WHERE a.type = '${AccountType.CLIENT}' AND a.status = 'ARCHIVED' AND i.status = 'ACTIVE'`,
    )),
    ...(await violations(
      'access grant on an archived client',
      `SELECT g.account_id FROM client_access_grants g JOIN accounts a ON a.id = g.account_id
        WHERE a.status = 'ARCHIVED'`,
    )),
    // R1: at most one PENDING or ACTIVE connection per pair.
    ...(await violations(
      'two open connections for one pair',
      `SELECT agency_id, premium_client_id FROM agency_connections
        WHERE status IN ('${ConnectionStatus.PENDING}', '${ConnectionStatus.ACTIVE}')
        GROUP BY agency_id, premium_client_id HAVING count(*) > 1`,
    )),
    // R22, I4: exactly one audit event per disconnection.
    ...(await violations(
      'agency disconnection without exactly one audit event',
      `SELECT k.id FROM agency_connections k
        WHERE k.status = 'DISCONNECTED'
          AND (SELECT count(*) FROM audit_events e
                WHERE e.action = 'AGENCY_DISCONNECTED' AND e.details->>'connectionId' = k.id::text) <> 1`,
    )),
    ...(await violations(
      'client disconnection without exactly one audit event',
      `SELECT a.id FROM accounts a
        WHERE a.type = 'CLIENT' AND a.status = 'ARCHIVED'
          AND (SELECT count(*) FROM audit_events e
                WHERE e.action = 'CLIENT_DISCONNECTED' AND e.account_id = a.id) <> 1`,
    )),
    // R19, I4: one outbox row per admin of either side who was an admin at the time — no more
    // (the dedupe key), no fewer.
    ...(await violations(
      'agency disconnection whose admins did not each get one email',
      `SELECT k.id, u.email FROM agency_connections k
         JOIN memberships m ON m.account_id IN (k.agency_id, k.premium_client_id)
                           AND m.role = 'ADMIN' AND m.created_at < k.disconnected_at
         JOIN users u ON u.id = m.user_id AND u.active
        WHERE k.status = 'DISCONNECTED'
          AND NOT EXISTS (SELECT 1 FROM email_outbox o
                           WHERE o.dedupe_key = 'disconnect-agency:' || k.id || ':' || u.id)`,
    )),
    ...(await violations(
      'client disconnection whose admins did not each get one email',
      `SELECT c.id, u.email FROM accounts c
         JOIN memberships m ON m.account_id IN (c.agency_id, c.id)
                           AND m.role = 'ADMIN' AND m.created_at < c.archived_at
         JOIN users u ON u.id = m.user_id AND u.active
        WHERE c.type = 'CLIENT' AND c.status = 'ARCHIVED'
          AND NOT EXISTS (SELECT 1 FROM email_outbox o
                           WHERE o.dedupe_key = 'disconnect-client:' || c.id || ':' || u.id)`,
    )),
    ...(await violations(
      'email for a disconnection that did not commit',
      `SELECT o.dedupe_key FROM email_outbox o
        WHERE (o.dedupe_key LIKE 'disconnect-agency:%' AND NOT EXISTS (
                 SELECT 1 FROM agency_connections k WHERE k.status = 'DISCONNECTED'
                    AND o.dedupe_key LIKE 'disconnect-agency:' || k.id || ':%'))
           OR (o.dedupe_key LIKE 'disconnect-client:%' AND NOT EXISTS (
                 SELECT 1 FROM accounts c WHERE c.status = 'ARCHIVED'
                    AND o.dedupe_key LIKE 'disconnect-client:' || c.id || ':%'))`,
    )),
    // R31: a schedule ends as what happened, and only a DONE one ran the disconnection.
    ...(await violations(
      'schedule still SCHEDULED after the clock passed every runAt',
      `SELECT id, status FROM scheduled_disconnections WHERE status = 'SCHEDULED'`,
    )),
    ...(await violations(
      'DONE schedule without exactly one disconnection run by it, or a run by an unDONE one',
      `SELECT s.id, s.status FROM scheduled_disconnections s
        WHERE (s.status = 'DONE') <> ((SELECT count(*) FROM audit_events e
                 WHERE e.action IN ('AGENCY_DISCONNECTED', 'CLIENT_DISCONNECTED')
                   AND e.details->'scheduledRun'->>'scheduleId' = s.id::text) = 1)
           OR (SELECT count(*) FROM audit_events e
                WHERE e.details->'scheduledRun'->>'scheduleId' = s.id::text
                  AND e.action IN ('AGENCY_DISCONNECTED', 'CLIENT_DISCONNECTED')) > 1`,
    )),
    ...(await violations(
      'DONE or ALREADY_DISCONNECTED schedule whose link is not disconnected',
      `SELECT s.id FROM scheduled_disconnections s
         LEFT JOIN agency_connections k ON k.id = s.connection_id
         LEFT JOIN accounts c ON c.id = s.client_account_id
        WHERE s.status IN ('DONE', 'ALREADY_DISCONNECTED')
          AND NOT (k.status = 'DISCONNECTED' OR c.status = 'ARCHIVED')`,
    )),
    ...(await violations(
      'FAILED schedule (no run here has a reason to fail)',
      `SELECT id, failure_reason FROM scheduled_disconnections WHERE status = 'FAILED'
          AND ${KILL_RATE > 0 ? 'FALSE' : 'TRUE'}`,
    )),
    ...(await violations(
      'schedule email for a change that did not commit',
      `SELECT o.dedupe_key FROM email_outbox o
        WHERE o.dedupe_key LIKE 'schedule:%'
          AND NOT EXISTS (SELECT 1 FROM scheduled_disconnections s
                           WHERE o.dedupe_key LIKE 'schedule:' || s.id || ':%'
                             AND (o.dedupe_key NOT LIKE '%:cancelled:%' OR s.status = 'CANCELLED'))`,
    )),
    // R16: every snapshot row belongs to a report archived in the same transaction.
    ...(await violations(
      'snapshot row of a report not archived with it',
      `SELECT s.report_id, s.user_id FROM archived_report_access s JOIN reports r ON r.id = s.report_id
        WHERE r.status <> 'ARCHIVED' OR r.archived_at IS DISTINCT FROM s.recorded_at`,
    )),
    ...(await violations(
      'account snapshot row of an account not archived with it',
      `SELECT s.account_id, s.user_id FROM archived_account_access s JOIN accounts a ON a.id = s.account_id
        WHERE a.status <> 'ARCHIVED' OR a.archived_at IS DISTINCT FROM s.recorded_at`,
    )),
  ];
  expect(found).toEqual([]);
}
