/**
 * R23 as a property: over random small worlds (seeded, reproducible with PREVIEW_SEED), the
 * read-only preview of a disconnection equals the impact the disconnection then reports, and the
 * preview writes nothing. Each world mixes access modes, grants, shares, RESTRICTED and already
 * archived reports, frozen items, paused mappings, shared organizations and inactive users.
 */
import {
  AccountStatus,
  ClientAccessMode,
  ItemStatus,
  MappingStatus,
  ReportStatus,
  ReportVisibility,
  Role,
  type Account,
  type AgencyConnection,
  type User,
} from '../../src/entities';
import { mulberry32 } from '../helpers/random';
import { useTestServer } from '../helpers/test-server';
import { agencyWithStaff, call, ops, premiumWithStaff } from './helpers';

const SEED = Number(process.env.PREVIEW_SEED ?? 20261129);
const WORLDS = Number(process.env.PREVIEW_WORLDS ?? 8);

const { server, f } = useTestServer();

/** Seeded choices for one world. */
function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  return {
    int,
    chance: (p: number) => next() < p,
    pick: <T>(xs: T[]): T => xs[int(xs.length)],
    some: <T>(xs: T[], p = 0.4): T[] => xs.filter(() => next() < p),
  };
}
type Rng = ReturnType<typeof prng>;

/** Counts of every table a disconnection writes: the preview must leave them all unchanged. */
async function footprint() {
  const [row] = await server.db.query(
    `SELECT (SELECT count(*) FROM archived_report_access)::int AS snapshots,
            (SELECT count(*) FROM archived_account_access)::int AS account_snapshots,
            (SELECT count(*) FROM reports WHERE status = 'ARCHIVED')::int AS archived,
            (SELECT count(*) FROM reporting_items WHERE status = 'FROZEN')::int AS frozen,
            (SELECT count(*) FROM integration_mappings WHERE status = 'PAUSED')::int AS paused,
            (SELECT count(*) FROM accounts WHERE status = 'ARCHIVED')::int AS accounts,
            (SELECT count(*) FROM organizations WHERE removed_at IS NOT NULL)::int AS orgs,
            (SELECT count(*) FROM users WHERE NOT active)::int AS inactive,
            (SELECT count(*) FROM agency_connections WHERE status = 'DISCONNECTED')::int AS conns,
            (SELECT count(*) FROM memberships)::int AS memberships,
            (SELECT count(*) FROM client_access_grants)::int AS grants,
            (SELECT count(*) FROM email_outbox)::int AS outbox,
            (SELECT count(*) FROM audit_events)::int AS audit`,
  );
  return row;
}

async function randomClient(rng: Rng, agency: Account, agencyUsers: User[], premium: Account) {
  // Sometimes the client shares its organization with another ACTIVE account (R20: kept).
  const client = await f.client(agency, {
    clientAccess: rng.chance(0.5)
      ? ClientAccessMode.SELECTED_USERS
      : ClientAccessMode.EVERYONE_IN_AGENCY,
    ...(rng.chance(0.3) ? { organizationId: premium.organizationId } : {}),
  });
  for (const user of rng.some(agencyUsers)) await f.grant(client, user);
  const own = [];
  for (let i = rng.int(3); i > 0; i--) {
    own.push(await f.member(client, Role.VIEW_ONLY, { active: rng.chance(0.8) }));
  }
  const items = [];
  for (let i = rng.int(4); i > 0; i--) {
    items.push(
      await f.item(
        client,
        rng.chance(0.2) ? { status: ItemStatus.FROZEN, frozenAt: new Date() } : {},
      ),
    );
  }
  for (let i = rng.int(5); i > 0; i--) {
    const restricted = rng.chance(0.4);
    await f.report(client, {
      items: rng.some(items, 0.5),
      visibility: restricted ? ReportVisibility.RESTRICTED : ReportVisibility.ACCOUNT,
      sharedWith: restricted ? rng.some([...agencyUsers, ...own], 0.3) : [],
      createdById: rng.chance(0.5) ? rng.pick(agencyUsers).id : null,
      ...(rng.chance(0.15)
        ? { status: ReportStatus.ARCHIVED, archivedAt: new Date(), snapshot: [] }
        : {}),
    });
  }
  return client;
}

async function randomWorld(rng: Rng) {
  const a = await agencyWithStaff(f);
  const extra = [];
  for (let i = rng.int(3); i > 0; i--) {
    extra.push(
      await f.member(a.agency, rng.pick([Role.ADMIN, Role.ACCOUNT_MANAGER, Role.REGULAR]), {
        active: rng.chance(0.85),
      }),
    );
  }
  const agencyUsers = [a.admin, a.manager, a.regular, a.viewOnly, ...extra];
  const p = await premiumWithStaff(f);
  const connection = await f.connection(a.agency, p.premium, {
    clientAccess: rng.chance(0.5)
      ? ClientAccessMode.SELECTED_USERS
      : ClientAccessMode.EVERYONE_IN_AGENCY,
  });
  for (const user of rng.some(agencyUsers)) await f.connectionGrant(connection, user);
  // A second agency on the same premium: its users keep reaching it after the first leaves.
  if (rng.chance(0.4)) {
    const b = await agencyWithStaff(f);
    await f.connection(b.agency, p.premium);
    await f.membership(rng.pick(agencyUsers), b.agency, Role.REGULAR);
  }
  const clients: Account[] = [];
  for (let i = 1 + rng.int(3); i > 0; i--) {
    clients.push(await randomClient(rng, a.agency, agencyUsers, p.premium));
  }
  const integration = await f.integration(a.agency);
  for (const account of [...clients, p.premium]) {
    if (rng.chance(0.7)) {
      await f.mapping(integration, account, {
        ...(rng.chance(0.2) ? { status: MappingStatus.PAUSED, pausedAt: new Date() } : {}),
      });
    }
  }
  return { a, p, connection, clients, actors: [a.admin, a.manager] };
}

async function previewThenDisconnect(
  kind: 'client' | 'agency',
  target: Account | AgencyConnection,
  as: User,
) {
  const [preview, disconnect] =
    kind === 'client'
      ? [ops.disconnectClientPreview, ops.disconnectClient]
      : [ops.disconnectAgencyPreview, ops.disconnectAgency];
  const before = await footprint();
  const previewed = await call(server, preview, { id: target.id }, as);
  expect(await footprint()).toEqual(before);
  const result = await call(server, disconnect, { id: target.id }, as);
  return { previewed, result };
}

describe('R23 property: preview == impact over random worlds', () => {
  it(`holds for ${WORLDS} worlds from seed ${SEED}`, async () => {
    const rng = prng(SEED);
    let applied = 0;
    for (let world = 0; world < WORLDS; world++) {
      const w = await randomWorld(rng);
      // A random order of disconnections: clients and the agency connection, some repeated.
      const targets: ['client' | 'agency', Account | AgencyConnection][] = [
        ...w.clients.map((c) => ['client', c] as ['client', Account]),
        ['agency', w.connection],
      ];
      for (let i = targets.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [targets[i], targets[j]] = [targets[j], targets[i]];
      }
      if (rng.chance(0.5)) targets.push(rng.pick(targets));
      for (const [kind, target] of targets) {
        const as = rng.pick(w.actors);
        const { previewed, result } = await previewThenDisconnect(kind, target, as);
        const context = `seed ${SEED}, world ${world}, ${kind} ${target.id}`;
        if (result.userErrors.length > 0) {
          // Repeated: ALREADY_DISCONNECTED, and the preview said nothing would change.
          expect({
            context,
            codes: result.userErrors.map((e: { code: string }) => e.code),
          }).toEqual({ context, codes: ['ALREADY_DISCONNECTED'] });
          expect({ context, previewed }).toEqual({
            context,
            previewed: {
              reportsToArchive: 0,
              itemsToFreeze: 0,
              mappingsToPause: 0,
              organizationRemoved: false,
              usersLosingAccess: [],
            },
          });
        } else {
          expect({ context, impact: result.impact }).toEqual({ context, impact: previewed });
          applied += 1;
        }
      }
    }
    expect(applied).toBeGreaterThanOrEqual(WORLDS * 2);
    const archived = await server.db.query(
      `SELECT count(*)::int AS n FROM accounts WHERE status = $1`,
      [AccountStatus.ARCHIVED],
    );
    expect(archived[0].n).toBeGreaterThan(0);
  }, 300_000);
});
