/**
 * B9's peer: row-level security that decides report visibility for PostGraphile's role
 * `bench_peer`, written from domain.md (A2, R5, R6, R15, R16, client access, RESTRICTED) on
 * purpose without src/permissions: a peer that imported Handover's predicates would measure
 * Handover's SQL twice. The bench checks that both answer the same rows.
 *
 * The viewer is the `sub` claim of the JWT PostGraphile verified (`jwt.claims.sub`), the token
 * Handover gets. Helpers are SECURITY DEFINER so they read memberships and grants, which the
 * role cannot, and see reports, accounts and users without the policies (no recursion).
 * Policies are FOR bench_peer only and tables are not FORCEd: Handover connects as a superuser
 * (or the tables' owner), which RLS never applies to — `applyPeerPolicies` refuses otherwise.
 */
import type { Client } from 'pg';

export const PEER_ROLE = 'bench_peer';

const POLICIES = `
DO $$ BEGIN
  CREATE ROLE bench_peer NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
ALTER ROLE bench_peer NOLOGIN NOSUPERUSER NOBYPASSRLS;

CREATE SCHEMA IF NOT EXISTS bench_peer;
REVOKE ALL ON SCHEMA bench_peer FROM PUBLIC;
GRANT USAGE ON SCHEMA bench_peer TO bench_peer;
GRANT USAGE ON SCHEMA public TO bench_peer;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM bench_peer;
GRANT SELECT ON reports, accounts, users TO bench_peer;

-- Helpers are PL/pgSQL, not SQL: a SECURITY DEFINER function is never inlined, and a SQL one
-- is planned again at every call (a dozen calls a request), while PL/pgSQL keeps its plans for
-- the session, and PostGraphile's pool keeps its sessions.

-- An unknown or deactivated user is nobody (Handover answers UNAUTHENTICATED).
CREATE OR REPLACE FUNCTION bench_peer.viewer_id() RETURNS uuid
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $f$
BEGIN
  RETURN (SELECT u.id FROM users u
           WHERE u.id = nullif(current_setting('jwt.claims.sub', true), '')::uuid AND u.active);
END $f$;

CREATE OR REPLACE FUNCTION bench_peer.viewer_is_staff() RETURNS boolean
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $f$
BEGIN
  RETURN coalesce((SELECT u.is_staff FROM users u WHERE u.id = bench_peer.viewer_id()), false);
END $f$;

-- The accounts whose data the viewer reaches (A2), and whether as ADMIN there: RESTRICTED
-- reports open to "account admins", read as the role the viewer reaches the account with
-- (an agency ADMIN on its clients and connected premiums), not as acting for it (A1).
CREATE OR REPLACE FUNCTION bench_peer.reached_accounts()
  RETURNS TABLE (account_id uuid, is_admin boolean)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 50 AS $f$
#variable_conflict use_column
DECLARE
  me uuid := bench_peer.viewer_id();
BEGIN
  RETURN QUERY
  WITH mine AS (SELECT m.account_id, m.role FROM memberships m WHERE m.user_id = me)
  SELECT x.account_id, bool_or(x.is_admin)
    FROM (
      -- Own accounts; a CLIENT's own users lose it when it is archived (R15).
      SELECT a.id, mine.role = 'ADMIN'
        FROM mine JOIN accounts a ON a.id = mine.account_id
       WHERE NOT (a.type = 'CLIENT' AND a.status = 'ARCHIVED')
      UNION ALL
      -- The agency's clients: its ADMINs always, everyone in EVERYONE_IN_AGENCY mode, else
      -- the selected users.
      SELECT c.id, mine.role = 'ADMIN'
        FROM mine JOIN accounts c ON c.agency_id = mine.account_id AND c.type = 'CLIENT'
       WHERE mine.role = 'ADMIN' OR c.client_access = 'EVERYONE_IN_AGENCY'
          OR EXISTS (SELECT 1 FROM client_access_grants g
                      WHERE g.account_id = c.id AND g.user_id = me)
      UNION ALL
      -- Premium clients over an ACTIVE connection, as that connection's own setting says; a
      -- DISCONNECTED one reaches nobody (R5, R6).
      SELECT k.premium_client_id, mine.role = 'ADMIN'
        FROM mine JOIN agency_connections k ON k.agency_id = mine.account_id
       WHERE k.status = 'ACTIVE'
         AND (mine.role = 'ADMIN' OR k.client_access = 'EVERYONE_IN_AGENCY'
              OR EXISTS (SELECT 1 FROM connection_access_grants cg
                          WHERE cg.connection_id = k.id AND cg.user_id = me))
    ) x (account_id, is_admin)
   GROUP BY x.account_id;
END $f$;

CREATE OR REPLACE FUNCTION bench_peer.shared_report_ids() RETURNS SETOF uuid
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $f$
DECLARE
  me uuid := bench_peer.viewer_id();
BEGIN
  RETURN QUERY SELECT s.report_id FROM report_shares s WHERE s.user_id = me;
END $f$;

-- R16: archived reports the viewer could open when they were archived, while still a member
-- of the agency that owns the report's account.
CREATE OR REPLACE FUNCTION bench_peer.open_archived_report_ids()
  RETURNS TABLE (report_id uuid, account_id uuid)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 50 AS $f$
#variable_conflict use_column
DECLARE
  me uuid := bench_peer.viewer_id();
BEGIN
  RETURN QUERY
  SELECT r.id, r.account_id
    FROM archived_report_access s
    JOIN reports r ON r.id = s.report_id AND r.status = 'ARCHIVED'
    JOIN accounts owner ON owner.id = r.account_id
    JOIN memberships am ON am.account_id = owner.agency_id AND am.user_id = s.user_id
   WHERE s.user_id = me
  UNION
  -- the account-level record: the account's ACCOUNT-visibility reports
  SELECT r.id, r.account_id
    FROM archived_account_access aa
    JOIN reports r ON r.account_id = aa.account_id AND r.status = 'ARCHIVED'
                  AND r.visibility = 'ACCOUNT'
    JOIN accounts owner ON owner.id = r.account_id
    JOIN memberships am ON am.account_id = owner.agency_id AND am.user_id = aa.user_id
   WHERE aa.user_id = me;
END $f$;

-- Every account a visible report can be on: the list's driving set (staff: all of them).
CREATE OR REPLACE FUNCTION bench_peer.report_account_ids() RETURNS SETOF uuid
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 50 AS $f$
BEGIN
  IF bench_peer.viewer_is_staff() THEN
    RETURN QUERY SELECT a.id FROM accounts a;
  ELSE
    RETURN QUERY SELECT ra.account_id FROM bench_peer.reached_accounts() ra
                 UNION SELECT o.account_id FROM bench_peer.open_archived_report_ids() o;
  END IF;
END $f$;

-- People of the accounts the viewer reaches (a report's creator among them).
CREATE OR REPLACE FUNCTION bench_peer.visible_user_ids() RETURNS SETOF uuid
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 50 AS $f$
BEGIN
  RETURN QUERY
  SELECT m.user_id FROM memberships m
   WHERE m.account_id IN (SELECT ra.account_id FROM bench_peer.reached_accounts() ra);
END $f$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA bench_peer FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA bench_peer TO bench_peer;

ALTER TABLE reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;

-- The top-level "account_id = ANY (ARRAY(...))" is what lets the planner drive the list from
-- the viewer's accounts (an index condition); the rest decides per report.
DROP POLICY IF EXISTS bench_peer_read ON reports;
CREATE POLICY bench_peer_read ON reports FOR SELECT TO bench_peer USING (
  account_id = ANY (ARRAY(SELECT bench_peer.report_account_ids()))
  AND ((SELECT bench_peer.viewer_is_staff())
       OR (status = 'ACTIVE'
           AND account_id IN (SELECT ra.account_id FROM bench_peer.reached_accounts() ra)
           AND (visibility = 'ACCOUNT'
                OR created_by_id = (SELECT bench_peer.viewer_id())
                OR account_id IN (SELECT ra.account_id FROM bench_peer.reached_accounts() ra
                                   WHERE ra.is_admin)
                OR id IN (SELECT bench_peer.shared_report_ids())))
       OR (status = 'ARCHIVED'
           AND id IN (SELECT o.report_id FROM bench_peer.open_archived_report_ids() o)))
);

DROP POLICY IF EXISTS bench_peer_read ON accounts;
CREATE POLICY bench_peer_read ON accounts FOR SELECT TO bench_peer USING (
  id IN (SELECT bench_peer.report_account_ids())
);

DROP POLICY IF EXISTS bench_peer_read ON users;
CREATE POLICY bench_peer_read ON users FOR SELECT TO bench_peer USING (
  (SELECT bench_peer.viewer_is_staff())
  OR id = (SELECT bench_peer.viewer_id())
  OR id IN (SELECT bench_peer.visible_user_ids())
);
`;

/**
 * Installs the role, helpers and policies into the bench world `client` is connected to.
 * Idempotent, and a no-op (no ACCESS EXCLUSIVE lock on reports) when this very text is already
 * installed. Throws when `client`'s user — Handover's — would itself be subject to the policies.
 */
export async function applyPeerPolicies(client: Client): Promise<void> {
  const { rows } = await client.query<{ exempt: boolean }>(
    `SELECT r.rolsuper OR r.rolbypassrls
            OR NOT EXISTS (SELECT 1 FROM pg_class c
                            WHERE c.oid IN ('reports'::regclass, 'accounts'::regclass, 'users'::regclass)
                              AND c.relowner <> r.oid) AS exempt
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  if (!rows[0]?.exempt) {
    throw new Error(
      'B9: the bench user is neither superuser, BYPASSRLS nor the tables owner: ' +
        "the peer's row-level security would filter Handover's own reads",
    );
  }
  const installed = await client
    .query<{ policies: string }>(`SELECT policies FROM bench_peer.installed`)
    .then((r) => r.rows[0]?.policies)
    .catch(() => undefined);
  if (installed === POLICIES) return;
  await client.query('BEGIN');
  try {
    await client.query(POLICIES);
    await client.query(`CREATE TABLE IF NOT EXISTS bench_peer.installed (policies text NOT NULL)`);
    await client.query(`DELETE FROM bench_peer.installed`);
    await client.query(`INSERT INTO bench_peer.installed VALUES ($1)`, [POLICIES]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
