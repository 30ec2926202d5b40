import { GraphQLError } from 'graphql';
import { allow, deny, or, shield } from 'graphql-shield';
import { chain } from './combinators';
import {
  accountAt,
  accountOfItemAt,
  accountOfReportAt,
  canAddMembersTo,
  isAdminOf,
  isAdminOfOrForbidden,
  isAuthenticated,
  isEditorOf,
  isManagerOf,
  isManagerOfOwningAgency,
  isStaff,
  isUser,
  ownerOfIntegrationAt,
} from './rules';
import { accountOfApiTokenAt } from './api-token-rules';
import { connectionSide } from './connection-rules';

/**
 * Every operation of the API and who may call it, top to bottom. Deny is the default.
 *
 * - Root fields carry the role gates.
 * - Fields of object types are listed only where they have a resolver of their own (relations):
 *   `parentIsVisible` — the parent object passed the visibility filter, and a visible object's
 *   own relations are visible with it; `visibilityFilter` — the field lists rows through the SQL
 *   visibility filter (src/permissions/visibility.ts) itself.
 *   Plain data fields are not wrapped at all (type-graphql simpleResolvers +
 *   applyMiddlewareToDeclaredResolvers): wrapping them cost 2-5x per page and protected nothing
 *   the row filter had not already decided. test/permissions/coverage.test.ts proves every
 *   object-returning field is one of these.
 */
const parentIsVisible = allow;
const visibilityFilter = allow;
const staffUser = chain(isAuthenticated, isUser, isStaff);
const userWith = (gate: ReturnType<typeof isManagerOf>) => chain(isAuthenticated, isUser, gate);

export const permissionRules = {
  Query: {
    viewer: isAuthenticated,
    node: isAuthenticated,
    account: isAuthenticated,
    accounts: isAuthenticated,
    report: isAuthenticated,
    reports: isAuthenticated,
    disconnectAgencyPreview: userWith(connectionSide('either', 'isManagerOf')),
    disconnectClientPreview: userWith(isManagerOfOwningAgency('clientAccountId')),
    auditEvents: userWith(isAdminOfOrForbidden(accountAt('accountId'), 'accountId')),
    apiTokens: userWith(isAdminOfOrForbidden(accountAt('accountId'), 'accountId')),
  },
  Mutation: {
    createAgency: staffUser,
    createPremiumClient: staffUser,
    addOrganizationAccount: staffUser,
    createClientAccount: userWith(isManagerOf(accountAt('input.agencyId'), 'input.agencyId')),
    addMember: userWith(canAddMembersTo(accountAt('input.accountId'), 'input.accountId')),
    setClientAccess: userWith(isManagerOf(accountAt('input.accountId'), 'input.accountId')),

    requestConnection: userWith(
      isManagerOf(accountAt('input.fromAccountId'), 'input.fromAccountId'),
    ),
    acceptConnection: userWith(connectionSide('responder', 'isManagerOf')),
    declineConnection: userWith(connectionSide('responder', 'isManagerOf')),
    cancelConnection: userWith(connectionSide('requester', 'isManagerOf')),

    disconnectAgency: userWith(connectionSide('either', 'isManagerOf')),
    disconnectClient: userWith(isManagerOfOwningAgency('clientAccountId')),
    convertClientToPremium: staffUser,

    createReportingItem: userWith(isEditorOf(accountAt('input.accountId'), 'input.accountId')),
    createReport: userWith(isEditorOf(accountAt('input.accountId'), 'input.accountId')),
    addReportItems: userWith(
      isEditorOf(accountOfReportAt('input.reportId'), 'accountOf(input.reportId)'),
    ),
    recordCampaignData: chain(
      isAuthenticated,
      isUser,
      or(isStaff, isAdminOf(accountOfItemAt('input.itemId'), 'accountOf(input.itemId)')),
    ),

    createIntegration: userWith(
      isManagerOf(accountAt('input.ownerAccountId'), 'input.ownerAccountId'),
    ),
    mapAdvertiser: userWith(
      isManagerOf(ownerOfIntegrationAt('input.integrationId'), 'ownerOf(input.integrationId)'),
    ),
    syncIntegration: userWith(
      isManagerOf(ownerOfIntegrationAt('integrationId'), 'ownerOf(integrationId)'),
    ),

    exportReport: isAuthenticated,
    createApiToken: userWith(isAdminOf(accountAt('input.accountId'), 'input.accountId')),
    revokeApiToken: userWith(isAdminOf(accountOfApiTokenAt('id'), 'accountOfApiToken(id)')),
  },

  User: { memberships: parentIsVisible },
  Membership: { account: parentIsVisible, user: parentIsVisible },
  Account: {
    organization: parentIsVisible,
    agency: parentIsVisible,
    clients: visibilityFilter,
    connections: parentIsVisible,
    members: parentIsVisible,
    integrations: parentIsVisible,
    reports: visibilityFilter,
  },
  AgencyConnection: {
    agency: parentIsVisible,
    premiumClient: parentIsVisible,
    requestedBy: parentIsVisible,
    disconnectedBy: parentIsVisible,
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
};

export const permissions = shield(permissionRules, {
  fallbackRule: deny,
  fallbackError: () =>
    new GraphQLError('You are not allowed to do this', { extensions: { code: 'FORBIDDEN' } }),
  // Resolver errors are already coded or masked by formatError; shield must not hide them.
  allowExternalErrors: true,
});
