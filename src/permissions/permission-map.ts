import { deny, rule, shield } from 'graphql-shield';
import { chain } from './combinators';
import {
  accountAt,
  accountOfItemAt,
  accountOfReportAt,
  actsForAsAdmin,
  actsForAsAdminOrForbidden,
  actsForAsManager,
  actsForClientAsManager,
  isAuthenticated,
  isReportCreatorOrAdmin,
  isStaff,
  isUser,
  mayExplainAccess,
  mayReviewUser,
  ownerOfIntegrationAt,
  reachesAsAdmin,
  reachesAsEditor,
} from './rules';
import { accountOfApiTokenAt } from './api-token-rules';
import { connectionSide } from './connection-rules';
import { decidesScheduledDisconnection } from './schedule-rules';
import { forbidden } from '../shared/errors';

/**
 * Every operation of the API and who may call it, top to bottom. Deny is the default.
 *
 * - Root fields carry the gates: each names the relation it needs (docs/authority.md) — `actsFor…`
 *   (A1: the principal's own role in the account) or `reaches…` (A2: data access) — and the
 *   account it is judged on.
 * - Fields of object types are listed only where they have a resolver of their own (relations):
 *   `parentIsVisible` — the parent object passed the visibility filter, and a visible object's
 *   own relations are visible with it; `visibilityFilter` — the field lists rows through the SQL
 *   visibility filter (src/permissions/visibility.ts) itself. A relation field that shows another
 *   account's internals or people decides per viewer by its named decision in ./field-decisions.ts.
 *   Plain data fields are not wrapped at all (type-graphql simpleResolvers +
 *   applyMiddlewareToDeclaredResolvers): wrapping them cost 2-5x per page and protected nothing
 *   the row filter had not already decided. test/permissions/shield-coverage.test.ts proves every
 *   object-returning field is one of these.
 */
// Named rules rather than `allow`, so the snapshot and docs/permissions.md say why a field needs
// no gate. They always pass and are never cached: there is nothing to cache.
const parentIsVisible = rule('parentIsVisible', { cache: 'no_cache' })(() => true);
const visibilityFilter = rule('visibilityFilter', { cache: 'no_cache' })(() => true);
const staffUser = chain(isAuthenticated, isUser, isStaff);
const userWith = (gate: ReturnType<typeof actsForAsManager>) =>
  chain(isAuthenticated, isUser, gate);

export const permissionRules = {
  Query: {
    viewer: isAuthenticated,
    node: isAuthenticated,
    account: isAuthenticated,
    accounts: isAuthenticated,
    report: isAuthenticated,
    reports: isAuthenticated,
    disconnectAgencyPreview: userWith(connectionSide('either')),
    disconnectClientPreview: userWith(actsForClientAsManager('clientAccountId')),
    // R32: each client is judged by actsForClientAsManager on its own, in the service
    // (clientManagerJudgement), and confirmed in its own transaction.
    disconnectClientsPreview: chain(isAuthenticated, isUser),
    auditEvents: userWith(actsForAsAdminOrForbidden(accountAt('accountId'), 'accountId')),
    apiTokens: userWith(actsForAsAdminOrForbidden(accountAt('accountId'), 'accountId')),
    explainAccess: userWith(mayExplainAccess),
    accessReview: userWith(actsForAsAdmin(accountAt('accountId'), 'accountId')),
    userAccess: userWith(mayReviewUser),
  },
  Mutation: {
    createAgency: staffUser,
    createPremiumClient: staffUser,
    addOrganizationAccount: staffUser,
    createClientAccount: userWith(actsForAsManager(accountAt('input.agencyId'), 'input.agencyId')),
    addMember: userWith(actsForAsAdmin(accountAt('input.accountId'), 'input.accountId')),
    removeMember: userWith(actsForAsAdmin(accountAt('input.accountId'), 'input.accountId')),
    changeMemberRole: userWith(actsForAsAdmin(accountAt('input.accountId'), 'input.accountId')),
    deactivateUser: staffUser,
    setClientAccess: userWith(actsForAsManager(accountAt('input.accountId'), 'input.accountId')),
    setConnectionAccess: userWith(connectionSide('agency')),

    requestConnection: userWith(
      actsForAsManager(accountAt('input.fromAccountId'), 'input.fromAccountId'),
    ),
    acceptConnection: userWith(connectionSide('responder')),
    declineConnection: userWith(connectionSide('responder')),
    cancelConnection: userWith(connectionSide('requester')),

    disconnectAgency: userWith(connectionSide('either')),
    disconnectClient: userWith(actsForClientAsManager('clientAccountId')),
    disconnectClients: chain(isAuthenticated, isUser),
    // R31: the gate of the disconnection it schedules — of the connection or of the client
    // (each gate passes when its argument is absent; the service wants exactly one).
    scheduleDisconnection: chain(
      isAuthenticated,
      isUser,
      connectionSide('either'),
      actsForClientAsManager('input.clientAccountId'),
    ),
    cancelScheduledDisconnection: userWith(decidesScheduledDisconnection('scheduleId')),
    convertClientToPremium: staffUser,

    createReportingItem: userWith(reachesAsEditor(accountAt('input.accountId'), 'input.accountId')),
    createReport: userWith(reachesAsEditor(accountAt('input.accountId'), 'input.accountId')),
    addReportItems: userWith(
      reachesAsEditor(accountOfReportAt('input.reportId'), 'accountOf(input.reportId)'),
    ),
    shareReport: userWith(isReportCreatorOrAdmin('input.reportId')),
    unshareReport: userWith(isReportCreatorOrAdmin('input.reportId')),
    updateReport: userWith(isReportCreatorOrAdmin('input.reportId')),
    removeReportItems: userWith(isReportCreatorOrAdmin('input.reportId')),
    deleteReport: userWith(isReportCreatorOrAdmin('reportId')),
    recordCampaignData: userWith(
      reachesAsAdmin(accountOfItemAt('input.itemId'), 'accountOf(input.itemId)'),
    ),

    createIntegration: userWith(
      actsForAsManager(accountAt('input.ownerAccountId'), 'input.ownerAccountId'),
    ),
    mapAdvertiser: userWith(
      actsForAsManager(ownerOfIntegrationAt('input.integrationId'), 'ownerOf(input.integrationId)'),
    ),
    syncIntegration: userWith(
      actsForAsManager(ownerOfIntegrationAt('integrationId'), 'ownerOf(integrationId)'),
    ),

    exportReport: isAuthenticated,
    createApiToken: userWith(actsForAsAdmin(accountAt('input.accountId'), 'input.accountId')),
    revokeApiToken: userWith(actsForAsAdmin(accountOfApiTokenAt('id'), 'accountOfApiToken(id)')),
  },

  User: { memberships: parentIsVisible, email: visibilityFilter },
  Membership: { account: parentIsVisible, user: parentIsVisible },
  Account: {
    organization: parentIsVisible,
    agency: parentIsVisible,
    clients: visibilityFilter,
    connections: parentIsVisible,
    members: parentIsVisible,
    integrations: parentIsVisible,
    reports: visibilityFilter,
    scheduledDisconnection: visibilityFilter,
  },
  AgencyConnection: {
    agency: parentIsVisible,
    premiumClient: parentIsVisible,
    requestedBy: parentIsVisible,
    disconnectedBy: parentIsVisible,
    scheduledDisconnection: visibilityFilter,
  },
  ScheduledDisconnection: {
    connection: parentIsVisible,
    clientAccount: parentIsVisible,
    scheduledBy: parentIsVisible,
    cancelledBy: parentIsVisible,
    // R31, R23: the preview's own gate (its deciders), judged in the service; null for others.
    preview: parentIsVisible,
  },
  ReportingItem: {
    account: parentIsVisible,
    integration: parentIsVisible,
    metrics: parentIsVisible,
  },
  Report: {
    account: parentIsVisible,
    archived: parentIsVisible,
    createdBy: parentIsVisible,
    items: parentIsVisible,
  },
  Integration: { owner: parentIsVisible, mappings: parentIsVisible },
  IntegrationMapping: { client: parentIsVisible },
  AuditEvent: { actor: parentIsVisible, account: parentIsVisible, details: parentIsVisible },
  AccessReview: { entries: parentIsVisible, archivedAccess: parentIsVisible },
  AccessPath: {
    via: parentIsVisible,
    connection: visibilityFilter,
    grantedBy: parentIsVisible,
    auditEvent: visibilityFilter,
  },
};

export const permissions = shield(permissionRules, {
  fallbackRule: deny,
  fallbackError: () => forbidden(),
  // Resolver errors are already coded or masked by formatError; shield must not hide them.
  allowExternalErrors: true,
});
