/**
 * The bench world, built with set-based SQL (generate_series) on PostgreSQL: agencies with
 * clients, premium clients connected to 2–3 agencies, users and roles, client-access grants,
 * reports (10 % RESTRICTED, some shared), reporting items linked to reports, archived clients
 * whose reports carry the R16 snapshot — and three probe tenants the bench measures:
 *
 * - agency 0, "big": `bigClients` clients × `bigReportsPerClient` reports, everyone in the
 *   agency; the first `bigArchivedClients` of them archived (the archived list);
 * - agency 1, "small": one client with 10 reports;
 * - every other report is spread over the other agencies' clients and the premium clients.
 *
 * Users of agency n: `a<n>-0@bench.example` ADMIN, `-1` ACCOUNT_MANAGER, `-2` REGULAR.
 */
import type { Client } from 'pg';
import { REACHES } from '../src/permissions/authority';
import { activeReportOpenTo } from '../src/permissions/visibility';

export interface WorldSize {
  agencies: number;
  clients: number;
  premiums: number;
  reports: number;
  /** report_items rows (links between reports and reporting items). */
  reportItems: number;
  bigClients: number;
  bigReportsPerClient: number;
  bigArchivedClients: number;
}

export const SMALL_TENANT_REPORTS = 10;

export const emailOf = (agency: number, k: 0 | 1 | 2) => `a${agency}-${k}@bench.example`;

/** Builds the world into an empty, migrated database. Returns seconds per step. */
export async function generateWorld(
  client: Client,
  size: WorldSize,
  log: (line: string) => void,
): Promise<void> {
  // Sizes are integers (checked by the caller), written into the SQL: a step is several
  // statements, which the extended protocol (parameters) does not allow.
  const step = async (name: string, sql: string) => {
    const start = Date.now();
    await client.query(sql);
    log(`  ${name}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  };
  const { agencies: A, clients: C, premiums: P } = size;
  const bigReports = size.bigClients * size.bigReportsPerClient;
  const bulkReports = Math.max(0, size.reports - bigReports - SMALL_TENANT_REPORTS);
  const linksPerReport = Math.max(1, Math.round(size.reportItems / Math.max(1, size.reports)));

  // Bulk load: no FK triggers (the generator writes consistent ids), no WAL flush per commit.
  await client.query(`SET session_replication_role = replica`);
  await client.query(`SET synchronous_commit = off`);
  await client.query(`SET work_mem = '256MB'`);
  await client.query(`SET maintenance_work_mem = '512MB'`);

  await step(
    'accounts',
    `CREATE TEMP TABLE ag AS
       SELECT g AS n, gen_random_uuid() AS id, gen_random_uuid() AS org
         FROM generate_series(0, ${A} - 1) g;
     CREATE TEMP TABLE cl AS
       SELECT g AS n, gen_random_uuid() AS id, gen_random_uuid() AS org,
              CASE WHEN g < ${size.bigClients} THEN 0 WHEN g = ${size.bigClients} THEN 1
                   ELSE 2 + g % greatest(1, ${A} - 2) END AS ag_n,
              (g < ${size.bigArchivedClients} OR (g > ${size.bigClients} AND g % 50 = 7)) AS archived,
              (g > ${size.bigClients} AND g % 5 = 0) AS selected
         FROM generate_series(0, ${C} - 1) g;
     CREATE TEMP TABLE pr AS
       SELECT g AS n, gen_random_uuid() AS id, gen_random_uuid() AS org
         FROM generate_series(0, ${P} - 1) g;
     INSERT INTO organizations (id, name)
       SELECT org, 'Agency org ' || n FROM ag UNION ALL
       SELECT org, 'Client org ' || n FROM cl UNION ALL
       SELECT org, 'Premium org ' || n FROM pr;
     INSERT INTO accounts (id, name, type, status, archived_at, organization_id, agency_id, client_access, created_at)
       SELECT id, 'Agency ' || n, 'AGENCY'::account_type, 'ACTIVE'::account_status, NULL::timestamptz,
              org, NULL::uuid, NULL::client_access_mode,
              now() - interval '3 years' + n * interval '1 minute' FROM ag
       UNION ALL
       SELECT c.id, 'Client ' || c.n, 'CLIENT', CASE WHEN c.archived THEN 'ARCHIVED' ELSE 'ACTIVE' END::account_status,
              CASE WHEN c.archived THEN now() - interval '10 days' END, c.org, ag.id,
              CASE WHEN c.selected THEN 'SELECTED_USERS' ELSE 'EVERYONE_IN_AGENCY' END::client_access_mode,
              now() - interval '2 years' + c.n * interval '1 minute'
         FROM cl c JOIN ag ON ag.n = c.ag_n
       UNION ALL
       SELECT id, 'Premium ' || n, 'PREMIUM_CLIENT', 'ACTIVE', NULL, org, NULL, NULL,
              now() - interval '2 years' + n * interval '1 hour' FROM pr`,
  );
  await step(
    'users and memberships',
    `CREATE TEMP TABLE us AS
       SELECT ag.n AS ag_n, k, gen_random_uuid() AS id, ag.id AS account_id, ag.org
         FROM ag CROSS JOIN generate_series(0, 2) k;
     CREATE TEMP TABLE pu AS SELECT pr.n, gen_random_uuid() AS id, pr.id AS account_id, pr.org FROM pr;
     INSERT INTO users (id, email, name, organization_id)
       SELECT id, 'a' || ag_n || '-' || k || '@bench.example', 'User ' || ag_n || '-' || k, org FROM us
       UNION ALL SELECT id, 'p' || n || '@bench.example', 'Premium admin ' || n, org FROM pu;
     INSERT INTO memberships (user_id, account_id, role)
       SELECT id, account_id, (ARRAY['ADMIN', 'ACCOUNT_MANAGER', 'REGULAR'])[k + 1]::role FROM us
       UNION ALL SELECT id, account_id, 'ADMIN' FROM pu;
     INSERT INTO client_access_grants (account_id, user_id)
       SELECT c.id, us.id FROM cl c JOIN us ON us.ag_n = c.ag_n AND us.k = 1 WHERE c.selected`,
  );
  await step(
    'connections',
    `INSERT INTO agency_connections (agency_id, premium_client_id, status, requested_by_account_id,
                                     requested_at, responded_at, client_access)
       SELECT DISTINCT ON (ag.id, pr.id) ag.id, pr.id, 'ACTIVE', ag.id, now() - interval '1 year',
              now() - interval '1 year', 'EVERYONE_IN_AGENCY'
         FROM pr CROSS JOIN generate_series(0, 2) j
         JOIN ag ON ag.n = 2 + (pr.n * 7 + j * 13) % greatest(1, ${A} - 2)
        WHERE j < 2 + pr.n % 2`,
  );
  // Who creates reports on an account: the owning agency's REGULAR user, or the premium's admin.
  await step(
    'reports',
    `CREATE TEMP TABLE owner AS
       SELECT c.id AS account_id, c.n AS account_n, c.ag_n, c.archived, us.id AS creator
         FROM cl c JOIN us ON us.ag_n = c.ag_n AND us.k = 2
       UNION ALL SELECT pr.id, ${C} + pr.n, NULL, false, pu.id FROM pr JOIN pu ON pu.n = pr.n;
     CREATE TEMP TABLE bulk AS
       SELECT row_number() OVER (ORDER BY account_n) - 1 AS i, * FROM owner WHERE ag_n IS NULL OR ag_n >= 2;
     INSERT INTO reports (id, name, account_id, visibility, status, created_by_id, created_at)
       SELECT gen_random_uuid(), 'Report ' || o.account_n || '-' || g, o.account_id,
              CASE WHEN (o.account_n * 31 + g) % 10 = 0 THEN 'RESTRICTED' ELSE 'ACCOUNT' END::report_visibility,
              'ACTIVE'::report_status, o.creator, now() - (hashint4(o.account_n * 7919 + g) & 65535) * interval '8 minutes'
         FROM owner o CROSS JOIN generate_series(1, ${size.bigReportsPerClient}) g WHERE o.ag_n = 0
       UNION ALL
       SELECT gen_random_uuid(), 'Small report ' || g, o.account_id, 'ACCOUNT', 'ACTIVE', o.creator,
              now() - g * interval '1 day'
         FROM owner o CROSS JOIN generate_series(1, ${SMALL_TENANT_REPORTS}) g WHERE o.ag_n = 1
       UNION ALL
       SELECT gen_random_uuid(), 'Report ' || b.account_n || '-' || g, b.account_id,
              CASE WHEN g % 10 = 3 THEN 'RESTRICTED' ELSE 'ACCOUNT' END::report_visibility,
              'ACTIVE', b.creator, now() - (hashint4(g) & 65535) * interval '8 minutes'
         FROM generate_series(0, ${bulkReports} - 1) g
         JOIN bulk b ON b.i = g % (SELECT count(*) FROM bulk)`,
  );
  await step(
    'shares',
    `INSERT INTO report_shares (report_id, user_id)
       SELECT r.id, us.id FROM reports r JOIN owner o ON o.account_id = r.account_id
         JOIN us ON us.ag_n = o.ag_n AND us.k = 1
        WHERE r.visibility = 'RESTRICTED' AND (hashtext(r.id::text) & 3) = 0`,
  );
  await step(
    'reporting items',
    `CREATE TEMP TABLE per_account AS
       SELECT account_id, greatest(3, count(*) / 2)::int AS items FROM reports GROUP BY account_id;
     CREATE TEMP TABLE it AS
       SELECT p.account_id, k, gen_random_uuid() AS id FROM per_account p, generate_series(0, p.items - 1) k;
     INSERT INTO reporting_items (id, name, account_id, source, impressions, clicks, reach, last_data_at, created_at)
       SELECT id, 'Item ' || k, account_id, 'MANUAL', k * 1000, k * 10, k * 500, now(),
              now() - (hashint4(k) & 65535) * interval '8 minutes' FROM it`,
  );
  await step(
    'report items',
    `INSERT INTO report_items (report_id, item_id)
       SELECT r.id, it.id
         FROM (SELECT id, account_id, row_number() OVER (PARTITION BY account_id ORDER BY id) AS k
                 FROM reports) r
         JOIN per_account p ON p.account_id = r.account_id
         CROSS JOIN generate_series(0, ${linksPerReport} - 1) j
         JOIN it ON it.account_id = r.account_id AND it.k = (r.k + j) % p.items`,
  );
  // R16: who could open the reports of an archived client when it was archived — the
  // statements the archiving transaction runs (report.service archiveReportsOfAccount), set-based:
  // one row per (account, user) for ACCOUNT-visibility reports, per-report rows for RESTRICTED.
  await step(
    'archive (R16 snapshot)',
    `INSERT INTO archived_account_access (account_id, user_id, recorded_at)
     SELECT DISTINCT acl.account_id, acl.user_id, now() - interval '10 days'
       FROM ${REACHES} acl WHERE acl.account_id IN (SELECT id FROM cl WHERE archived)
     ON CONFLICT DO NOTHING;
     INSERT INTO archived_report_access (report_id, user_id, recorded_at)
     SELECT DISTINCT r.id, acl.user_id, now() - interval '10 days'
       FROM reports r JOIN ${REACHES} acl ON acl.account_id = r.account_id
      WHERE r.account_id IN (SELECT id FROM cl WHERE archived) AND r.visibility = 'RESTRICTED'
        AND ${activeReportOpenTo('r', 'acl')}
     ON CONFLICT DO NOTHING;
     UPDATE reports SET status = 'ARCHIVED', archived_at = now() - interval '10 days'
      WHERE account_id IN (SELECT id FROM cl WHERE archived);
     UPDATE reporting_items SET status = 'FROZEN', frozen_at = now() - interval '10 days'
      WHERE account_id IN (SELECT id FROM cl WHERE archived)`,
  );
  await client.query(`RESET session_replication_role`);
  await step('vacuum analyze', `VACUUM ANALYZE`);
}
