import { Client } from 'pg';
import {
  AccountStatus,
  AuditEvent,
  ClientAccessMode,
  EmailOutbox,
  IntegrationMapping,
  Membership,
  MappingStatus,
  Organization,
  Report,
  ReportingItem,
  ReportStatus,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { pgOnly } from '../helpers/requirements';
import { useTestServer } from '../helpers/test-server';
import { agencyWithStaff, call, ops, premiumWithStaff } from './helpers';

const { server, f } = useTestServer();

/** A client of `size` reports, items, mappings and brand users, built set-based in SQL. */
async function clientOfSize(size: number) {
  const a = await agencyWithStaff(f);
  const client = await f.client(a.agency, { clientAccess: ClientAccessMode.SELECTED_USERS });
  await f.grant(client, a.regular);
  await server.db.query(
    `INSERT INTO reports (name, account_id, visibility, status, created_by_id)
     SELECT 'Report ' || g, $1, CASE WHEN g % 3 = 0 THEN 'RESTRICTED' ELSE 'ACCOUNT' END::report_visibility,
            'ACTIVE', $3
       FROM generate_series(1, $2) g`,
    [client.id, size, a.regular.id],
  );
  await server.db.query(
    `INSERT INTO reporting_items (name, account_id, source)
     SELECT 'Item ' || g, $1, 'MANUAL' FROM generate_series(1, $2) g`,
    [client.id, size],
  );
  await server.db.query(
    `INSERT INTO report_items (report_id, item_id)
     SELECT r.id, i.id FROM
       (SELECT id, row_number() OVER (ORDER BY id) n FROM reports WHERE account_id = $1) r
       JOIN (SELECT id, row_number() OVER (ORDER BY id) n FROM reporting_items WHERE account_id = $1) i
         ON i.n = r.n`,
    [client.id],
  );
  const integration = await f.integration(a.agency, { name: 'CM360' });
  await server.db.query(
    `INSERT INTO integration_mappings (integration_id, client_account_id, external_advertiser_id)
     SELECT $1, $2, 'adv-' || g FROM generate_series(1, $3) g`,
    [integration.id, client.id, Math.max(1, Math.floor(size / 10))],
  );
  await server.db.query(
    `WITH u AS (
       INSERT INTO users (email, name, organization_id)
       SELECT 'brand-' || gen_random_uuid() || '@example.test', 'Brand ' || g, $2
         FROM generate_series(1, $3) g RETURNING id)
     INSERT INTO memberships (user_id, account_id, role) SELECT u.id, $1, 'VIEW_ONLY' FROM u`,
    [client.id, client.organizationId, Math.max(1, Math.floor(size / 10))],
  );
  return { a, client };
}

describe('set-based work: the statement count does not depend on the amount of data', () => {
  it('disconnectClient (and its preview) run as many statements for 10 as for 2,000 reports', async () => {
    const small = await clientOfSize(10);
    const large = await clientOfSize(2000);
    const measure = async (w: Awaited<ReturnType<typeof clientOfSize>>) => {
      const preview = await server.countStatements(() =>
        call(server, ops.disconnectClientPreview, { id: w.client.id }, w.a.admin),
      );
      const run = await server.countStatements(() =>
        call(server, ops.disconnectClient, { id: w.client.id }, w.a.admin),
      );
      expect(run.result.userErrors).toEqual([]);
      expect(run.result.impact).toEqual(preview.result);
      return { preview: preview.statements, run: run.statements, impact: run.result.impact };
    };
    const s = await measure(small);
    const l = await measure(large);
    expect(s.impact).toMatchObject({ reportsToArchive: 10, itemsToFreeze: 10, mappingsToPause: 1 });
    expect(l.impact).toMatchObject({
      reportsToArchive: 2000,
      itemsToFreeze: 2000,
      mappingsToPause: 200,
    });
    expect(l.impact.usersLosingAccess).toHaveLength(200 + 2);
    expect(l.run).toBe(s.run);
    expect(l.preview).toBe(s.preview);
    expect(
      await server.db
        .getRepository(Report)
        .countBy({ accountId: large.client.id, status: ReportStatus.ACTIVE }),
    ).toBe(0);
  });

  it('disconnectAgency runs as many statements for 2 as for 200 agency users and mappings', async () => {
    const world = async (size: number) => {
      const a = await agencyWithStaff(f);
      const p = await premiumWithStaff(f);
      const connection = await f.connection(a.agency, p.premium);
      await server.db.query(
        `WITH u AS (
           INSERT INTO users (email, name, organization_id)
           SELECT 'agency-' || gen_random_uuid() || '@example.test', 'Agency ' || g, $2
             FROM generate_series(1, $3) g RETURNING id)
         INSERT INTO memberships (user_id, account_id, role) SELECT u.id, $1, 'REGULAR' FROM u`,
        [a.agency.id, a.agency.organizationId, size],
      );
      const integration = await f.integration(a.agency, { name: 'Adform' });
      await server.db.query(
        `INSERT INTO integration_mappings (integration_id, client_account_id, external_advertiser_id)
         SELECT $1, $2, 'adv-' || g FROM generate_series(1, $3) g`,
        [integration.id, p.premium.id, size],
      );
      const run = await server.countStatements(() =>
        call(server, ops.disconnectAgency, { id: connection.id }, a.admin),
      );
      expect(run.result.impact.mappingsToPause).toBe(size);
      return run.statements;
    };
    expect(await world(200)).toBe(await world(2));
  });
});

// Real concurrency and killed connections need PostgreSQL: the embedded database serializes
// transactions and connections.
pgOnly('I2: creates racing a disconnection', () => {
  it('dozens of concurrent createReport against one disconnectClient: no ACTIVE report is left on the ARCHIVED client', async () => {
    const a = await agencyWithStaff(f);
    const client = await f.client(a.agency);
    await f.report(client);
    const creators = [a.admin, a.manager, a.regular];
    const creates = Array.from({ length: 40 }, (_, i) =>
      call(
        server,
        ops.createReport,
        { input: { accountId: client.id, name: `Race ${i}` } },
        creators[i % creators.length],
      ),
    );
    const disconnect = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 15));
      return call(server, ops.disconnectClient, { id: client.id }, a.manager);
    })();
    const [disconnected, ...created] = await Promise.all([disconnect, ...creates]);
    expect(disconnected.userErrors).toEqual([]);

    const account = await server.db
      .getRepository(server.db.getMetadata('Account').target)
      .findOneByOrFail({ id: client.id });
    expect((account as Account).status).toBe(AccountStatus.ARCHIVED);
    const reports = await server.db.getRepository(Report).findBy({ accountId: client.id });
    expect(reports.filter((r) => r.status === ReportStatus.ACTIVE)).toEqual([]);

    const succeeded = created.filter((c) => c.userErrors.length === 0).map((c) => c.report.id);
    const failed = created.filter((c) => c.userErrors.length > 0);
    expect(succeeded.length + failed.length).toBe(40);
    for (const failure of failed) {
      expect(failure.userErrors.map((e: { code: string }) => e.code)).toEqual(['ACCOUNT_ARCHIVED']);
    }
    // every created report was archived with the client, and counted in its impact
    expect(reports.map((r) => r.id).sort()).toEqual(expect.arrayContaining([...succeeded].sort()));
    expect(disconnected.impact.reportsToArchive).toBe(1 + succeeded.length);
    // and its creators can still open it (R16 snapshot written in the same transaction)
    const snapshot: { n: string }[] = await server.db.query(
      `SELECT count(*) AS n FROM reports r
        WHERE r.id = ANY($1::uuid[])
          AND (EXISTS (SELECT 1 FROM archived_report_access s
                        WHERE s.report_id = r.id AND s.user_id = r.created_by_id)
               OR EXISTS (SELECT 1 FROM archived_account_access aa
                           WHERE aa.account_id = r.account_id AND aa.user_id = r.created_by_id))`,
      [succeeded],
    );
    expect(Number(snapshot[0].n)).toBe(succeeded.length);
  });

  it('concurrent double disconnection: one applies, the other answers ALREADY_DISCONNECTED, one email per admin', async () => {
    const a = await agencyWithStaff(f);
    const client = await f.client(a.agency);
    await f.report(client);
    const results = await Promise.all(
      [a.admin, a.manager, a.admin, a.manager].map((user) =>
        call(server, ops.disconnectClient, { id: client.id }, user),
      ),
    );
    const codes = results.flatMap((r) => r.userErrors.map((e: { code: string }) => e.code));
    expect(codes).toEqual(['ALREADY_DISCONNECTED', 'ALREADY_DISCONNECTED', 'ALREADY_DISCONNECTED']);
    const rows = (await server.db.getRepository(EmailOutbox).find()).filter((row) =>
      row.dedupeKey.startsWith(`disconnect-client:${client.id}:`),
    );
    expect(rows.map((r) => r.toAddress)).toEqual([a.admin.email]);
  });
});

pgOnly('I1: a killed disconnection leaves everything as it was', () => {
  /**
   * Holds a row lock the disconnection needs at a given step, waits until its backend is blocked
   * there, and terminates that backend with pg_terminate_backend.
   */
  async function killAt(lockSql: string, lockParams: unknown[], run: () => Promise<unknown>) {
    const blocker = new Client({ connectionString: server.database.url });
    await blocker.connect();
    const admin = new Client({ connectionString: server.database.url });
    await admin.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(lockSql, lockParams);
      const blockerPid = (await blocker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const outcome = run().then(
        (value) => ({ value, error: null }),
        (error: unknown) => ({ value: null, error }),
      );
      let victim: number | null = null;
      for (let i = 0; i < 200 && victim === null; i += 1) {
        const { rows } = await admin.query(
          `SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`,
          [blockerPid],
        );
        victim = rows[0]?.pid ?? null;
        if (victim === null) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(victim).not.toBeNull();
      await admin.query('SELECT pg_terminate_backend($1)', [victim]);
      const result = await outcome;
      await blocker.query('ROLLBACK');
      return result;
    } finally {
      await blocker.end();
      await admin.end();
    }
  }

  async function world() {
    const a = await agencyWithStaff(f);
    const client = await f.client(a.agency, { clientAccess: ClientAccessMode.SELECTED_USERS });
    await f.grant(client, a.regular);
    const brandUser = await f.member(client, Role.VIEW_ONLY);
    const items = [await f.item(client), await f.item(client)];
    await f.report(client, { items });
    await f.report(client, { items: [items[0]] });
    const integration = await f.integration(a.agency, { name: 'DV360' });
    const mapping = await f.mapping(integration, client);
    return { a, client, brandUser, items, mapping };
  }

  async function expectUntouched(w: Awaited<ReturnType<typeof world>>) {
    const db = server.db;
    const account = (await db
      .getRepository(db.getMetadata('Account').target)
      .findOneByOrFail({ id: w.client.id })) as Account;
    expect(account.status).toBe(AccountStatus.ACTIVE);
    expect(
      (await db.getRepository(Report).findBy({ accountId: w.client.id })).map((r) => r.status),
    ).toEqual([ReportStatus.ACTIVE, ReportStatus.ACTIVE]);
    expect(
      (await db.getRepository(ReportingItem).findBy({ accountId: w.client.id })).map(
        (i) => i.status,
      ),
    ).toEqual(['ACTIVE', 'ACTIVE']);
    expect(
      (await db.getRepository(IntegrationMapping).findOneByOrFail({ id: w.mapping.id })).status,
    ).toBe(MappingStatus.ACTIVE);
    expect(await db.getRepository(Membership).countBy({ accountId: w.client.id })).toBe(1);
    const snapshot: { n: string }[] = await db.query(
      `SELECT (SELECT count(*) FROM archived_report_access s JOIN reports r ON r.id = s.report_id
                WHERE r.account_id = $1)
            + (SELECT count(*) FROM archived_account_access WHERE account_id = $1) AS n`,
      [w.client.id],
    );
    expect(Number(snapshot[0].n)).toBe(0);
    const outbox = (await db.getRepository(EmailOutbox).find()).filter((row) =>
      row.dedupeKey.startsWith(`disconnect-client:${w.client.id}:`),
    );
    expect(outbox).toEqual([]);
    expect(await db.getRepository(AuditEvent).countBy({ accountId: w.client.id })).toBe(0);
    const org = await db
      .getRepository(Organization)
      .findOneByOrFail({ id: w.client.organizationId });
    expect(org.removedAt).toBeNull();
    expect(
      (
        (await db.getRepository(db.getMetadata('User').target).findOneByOrFail({
          id: w.brandUser.id,
        })) as User
      ).active,
    ).toBe(true);
  }

  it.each([
    ['freezing items (reports already archived)', 'items'],
    ['pausing mappings (items already frozen)', 'mapping'],
    ['ending memberships (outbox rows already written)', 'membership'],
    ['deactivating users (organization already removed)', 'user'],
  ])('killed while %s', async (_label, step) => {
    const w = await world();
    const locks: Record<string, [string, unknown[]]> = {
      items: ['SELECT id FROM reporting_items WHERE id = $1 FOR UPDATE', [w.items[1].id]],
      mapping: ['SELECT id FROM integration_mappings WHERE id = $1 FOR UPDATE', [w.mapping.id]],
      membership: ['SELECT id FROM memberships WHERE account_id = $1 FOR UPDATE', [w.client.id]],
      user: ['SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE', [w.brandUser.id]],
    };
    const [sql, params] = locks[step];
    const result = await killAt(sql, params, () =>
      server.op(ops.disconnectClient, { id: w.client.id }, w.a.admin),
    );
    // Issue 26 #3: nothing was applied, and the client is told so with a retryable code.
    const response = result.value as {
      errors?: { extensions?: { code?: string; retryable?: boolean } }[];
    } | null;
    expect(response?.errors?.map((e) => e.extensions)).toEqual([
      { code: 'DATABASE_UNAVAILABLE', retryable: true },
    ]);
    await expectUntouched(w);

    // the server recovers and the disconnection can then be done in full
    const retry = await call(server, ops.disconnectClient, { id: w.client.id }, w.a.admin);
    expect(retry.userErrors).toEqual([]);
    expect(retry.impact).toMatchObject({
      reportsToArchive: 2,
      itemsToFreeze: 2,
      mappingsToPause: 1,
    });
  });
});
