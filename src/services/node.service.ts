import { AgencyConnection, AuditEvent, Integration, Organization, Role } from '../entities';
import { requireViewer, type RequestContext } from '../server/context';
import type { Node } from '../entities/node.interface';
import { isId } from './ids';

const NODE_TABLES = [
  ['Account', 'accounts'],
  ['Report', 'reports'],
  ['ReportingItem', 'reporting_items'],
  ['User', 'users'],
  ['Organization', 'organizations'],
  ['AgencyConnection', 'agency_connections'],
  ['Integration', 'integrations'],
  ['AuditEvent', 'audit_events'],
] as const;

/**
 * Query.node: ids are UUIDs unique across tables, so one statement finds the type, then the
 * type's own visibility rule decides. A malformed or invisible id is null, never an error.
 * Users, organizations, connections and integrations are visible through an account the viewer
 * sees; audit events to those who may read the account's audit log.
 */
export async function findNode(ctx: RequestContext, rawId: string): Promise<Node | null> {
  const { viewer, visibility } = requireViewer(ctx);
  if (!isId(rawId)) return null;
  const id = rawId.toLowerCase();
  const union = NODE_TABLES.map(
    ([type, table]) => `SELECT '${type}' AS type FROM ${table} WHERE id = $1`,
  ).join(' UNION ALL ');
  const [found] = await ctx.db.query<{ type: (typeof NODE_TABLES)[number][0] }[]>(union, [id]);
  if (!found) return null;
  const seesAccount = async (accountId: string | null | undefined) =>
    !!accountId && !!(await ctx.loaders.visibleAccount.load(accountId));
  switch (found.type) {
    case 'Account':
      return ctx.loaders.visibleAccount.load(id);
    case 'Report':
      return ctx.loaders.visibleReport.load(id);
    case 'ReportingItem':
      return ctx.loaders.visibleItem.load(id);
    case 'User': {
      // A token acts within its scope even when its creator is staff (R18).
      if (viewer.user.id === id || (viewer.kind === 'user' && viewer.user.isStaff)) {
        return ctx.loaders.user.load(id);
      }
      const memberships = await ctx.loaders.membershipsByUser.load(id);
      const results = await Promise.all(memberships.map((m) => seesAccount(m.accountId)));
      return results.some(Boolean) ? await ctx.loaders.user.load(id) : null;
    }
    case 'Organization': {
      const org = (await ctx.loaders.organization.load(id)) as Organization;
      const accounts: { id: string }[] = await ctx.db
        .createQueryBuilder()
        .select('a.id', 'id')
        .from('accounts', 'a')
        .where('a.organization_id = :id', { id })
        .andWhere(visibility.account('a'), visibility.params)
        .limit(1)
        .getRawMany();
      return accounts.length > 0 ? org : null;
    }
    case 'AgencyConnection': {
      const connection = (await ctx.loaders.connection.load(id)) as AgencyConnection;
      const sees =
        (await seesAccount(connection.agencyId)) || (await seesAccount(connection.premiumClientId));
      return sees ? connection : null;
    }
    case 'Integration': {
      const integration = (await ctx.loaders.integration.load(id)) as Integration;
      return (await seesAccount(integration.ownerAccountId)) ? integration : null;
    }
    case 'AuditEvent': {
      const event = await ctx.db.getRepository(AuditEvent).findOneByOrFail({ id });
      if (viewer.user.isStaff && viewer.kind === 'user') return event;
      for (const accountId of [event.accountId, event.relatedAccountId]) {
        if (accountId && (await ctx.loaders.accountAccess.load(accountId))?.role === Role.ADMIN)
          return event;
      }
      return null;
    }
  }
}
