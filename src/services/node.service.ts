import { AuditEvent, Integration, Organization, Role } from '../entities';
import { requireViewer, type RequestContext } from '../context/request-context';
import type { Node } from '../entities/node.interface';
import { isId } from '../shared/ids';
import { seesAccountInternals, seesUser } from '../permissions/field-decisions';

const NODE_TABLES = [
  ['Account', 'accounts'],
  ['Report', 'reports'],
  ['ReportingItem', 'reporting_items'],
  ['User', 'users'],
  ['Organization', 'organizations'],
  ['AgencyConnection', 'agency_connections'],
  ['Integration', 'integrations'],
  ['AuditEvent', 'audit_events'],
  ['ScheduledDisconnection', 'scheduled_disconnections'],
] as const;

/**
 * Query.node: ids are UUIDs unique across tables, so one statement finds the type, then the
 * type's own visibility rule decides. A malformed or invisible id is null, never an error.
 * Users, organizations and integrations are visible through an account the viewer sees;
 * connections to those who act for one of their sides (A3); audit events to those who may read
 * the account's audit log.
 */
export async function findNode(ctx: RequestContext, rawId: string): Promise<Node | null> {
  const { visibility } = requireViewer(ctx);
  if (!isId(rawId)) return null;
  const id = rawId.toLowerCase();
  const union = NODE_TABLES.map(
    ([type, table]) => `SELECT '${type}' AS type FROM ${table} WHERE id = $1`,
  ).join(' UNION ALL ');
  const [found] = await ctx.db.query<{ type: (typeof NODE_TABLES)[number][0] }[]>(union, [id]);
  if (!found) return null;
  // People, organizations, connections and integrations show through an account whose
  // internals the viewer may see; an API token sees none of them (R18).
  const seesAccount = async (accountId: string | null | undefined) =>
    !!accountId && (await seesAccountInternals(ctx, accountId));
  switch (found.type) {
    case 'Account':
      return ctx.loaders.visibleAccount.load(id);
    case 'Report':
      return ctx.loaders.visibleReport.load(id);
    case 'ReportingItem':
      return ctx.loaders.visibleItem.load(id);
    case 'User':
      return (await seesUser(ctx, id)) ? ctx.loaders.user.load(id) : null;
    case 'Organization': {
      const org = (await ctx.loaders.organization.load(id)) as Organization;
      const accounts: { id: string }[] = await ctx.db
        .createQueryBuilder()
        .select('a.id', 'id')
        .from('accounts', 'a')
        .where('a.organization_id = :id', { id })
        .andWhere(visibility.accountInternals('a'), visibility.params)
        .limit(1)
        .getRawMany();
      return accounts.length > 0 ? org : null;
    }
    case 'AgencyConnection':
      return ctx.loaders.visibleConnection.load(id);
    case 'Integration': {
      const integration = (await ctx.loaders.integration.load(id)) as Integration;
      return (await seesAccount(integration.ownerAccountId)) ? integration : null;
    }
    case 'ScheduledDisconnection':
      // R31: shown with its link (Visibility.scheduledDisconnection).
      return ctx.loaders.visibleSchedule.load(id);
    case 'AuditEvent': {
      // R22, R27, A1: the audit log is read by those acting for an involved account as ADMIN.
      const event = await ctx.db.getRepository(AuditEvent).findOneByOrFail({ id });
      for (const accountId of [event.accountId, event.relatedAccountId]) {
        if (accountId && (await ctx.loaders.authority.load(accountId))?.actsAs === Role.ADMIN) {
          return event;
        }
      }
      return null;
    }
  }
}
