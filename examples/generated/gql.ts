/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
  'query AccessReview($accountId: ID!, $first: Int) {\n  accessReview(accountId: $accountId) {\n    at\n    account {\n      id\n      name\n    }\n    entries(first: $first) {\n      totalCount\n      nodes {\n        user {\n          id\n          name\n          email\n        }\n        role\n        canAct\n        paths {\n          kind\n          description\n          since\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n    archivedAccess(first: $first) {\n      totalCount\n      nodes {\n        user {\n          id\n          name\n        }\n        paths {\n          description\n        }\n      }\n    }\n    pendingRequests {\n      id\n      status\n      requestedAt\n    }\n  }\n}': typeof types.AccessReviewDocument;
  'query Accounts($type: AccountType, $archived: Boolean = false, $first: Int = 20, $after: String) {\n  accounts(\n    filter: {type: $type, archived: $archived}\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      name\n      type\n      status\n      archivedAt\n      clientAccess\n      organization {\n        id\n        name\n      }\n      agency {\n        id\n        name\n      }\n    }\n  }\n}': typeof types.AccountsDocument;
  'query AgencyClients($agencyId: ID!, $archived: Boolean = false, $first: Int = 20, $after: String) {\n  account(id: $agencyId) {\n    id\n    name\n    type\n    clients(archived: $archived, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        status\n        archivedAt\n        clientAccess\n      }\n    }\n    connections {\n      id\n      status\n      requestedAt\n      disconnectedAt\n      premiumClient {\n        id\n        name\n      }\n    }\n  }\n}': typeof types.AgencyClientsDocument;
  'query ArchivedReports($accountId: ID, $first: Int = 50, $after: String) {\n  reports(\n    filter: {archived: true, accountId: $accountId}\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      name\n      archivedAt\n      account {\n        id\n        name\n      }\n    }\n  }\n}': typeof types.ArchivedReportsDocument;
  'mutation CancelScheduledDisconnection($scheduleId: ID!) {\n  cancelScheduledDisconnection(scheduleId: $scheduleId) {\n    schedule {\n      id\n      status\n      cancelledAt\n      cancelledBy {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}': typeof types.CancelScheduledDisconnectionDocument;
  'mutation ChangeMemberRole($accountId: ID!, $userId: ID!, $role: Role!) {\n  changeMemberRole(input: {accountId: $accountId, userId: $userId, role: $role}) {\n    membership {\n      role\n      user {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}': typeof types.ChangeMemberRoleDocument;
  'mutation DisconnectAgency($connectionId: ID!) {\n  disconnectAgency(connectionId: $connectionId) {\n    connection {\n      id\n      status\n      disconnectedAt\n      disconnectedBy {\n        id\n        name\n      }\n    }\n    impact {\n      reportsToArchive\n      itemsToFreeze\n      mappingsToPause\n      organizationRemoved\n      usersLosingAccess {\n        id\n        email\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}': typeof types.DisconnectAgencyDocument;
  'query DisconnectAgencyPreview($connectionId: ID!) {\n  disconnectAgencyPreview(connectionId: $connectionId) {\n    reportsToArchive\n    itemsToFreeze\n    mappingsToPause\n    organizationRemoved\n    usersLosingAccess {\n      id\n      name\n      email\n    }\n  }\n}': typeof types.DisconnectAgencyPreviewDocument;
  'mutation DisconnectClient($clientAccountId: ID!) {\n  disconnectClient(clientAccountId: $clientAccountId) {\n    account {\n      id\n      status\n      archivedAt\n    }\n    impact {\n      reportsToArchive\n      itemsToFreeze\n      mappingsToPause\n      organizationRemoved\n      usersLosingAccess {\n        id\n        email\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}': typeof types.DisconnectClientDocument;
  'query DisconnectClientPreview($clientAccountId: ID!) {\n  disconnectClientPreview(clientAccountId: $clientAccountId) {\n    reportsToArchive\n    itemsToFreeze\n    mappingsToPause\n    organizationRemoved\n    usersLosingAccess {\n      id\n      name\n      email\n    }\n  }\n}': typeof types.DisconnectClientPreviewDocument;
  'mutation DisconnectClients($clientAccountIds: [ID!]!) {\n  disconnectClients(clientAccountIds: $clientAccountIds) {\n    results {\n      clientAccountId\n      account {\n        id\n        status\n      }\n      impact {\n        reportsToArchive\n        usersLosingAccess {\n          id\n        }\n      }\n      userErrors {\n        code\n        message\n        field\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}': typeof types.DisconnectClientsDocument;
  'query DisconnectClientsPreview($clientAccountIds: [ID!]!) {\n  disconnectClientsPreview(clientAccountIds: $clientAccountIds) {\n    reportsToArchive\n    itemsToFreeze\n    mappingsToPause\n    organizationRemoved\n    usersLosingAccess {\n      id\n      name\n    }\n  }\n}': typeof types.DisconnectClientsPreviewDocument;
  'query ExplainAccess($userId: ID!, $accountId: ID, $reportId: ID) {\n  explainAccess(userId: $userId, accountId: $accountId, reportId: $reportId) {\n    user {\n      id\n      name\n    }\n    canRead\n    canAct\n    role\n    missing\n    paths {\n      kind\n      role\n      description\n      since\n      via {\n        id\n        name\n        type\n      }\n      grantedBy {\n        id\n        name\n      }\n    }\n  }\n}': typeof types.ExplainAccessDocument;
  'mutation ExportReport($reportId: ID!, $format: ExportFormat! = CSV) {\n  exportReport(input: {reportId: $reportId, format: $format}) {\n    content\n    url\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}': typeof types.ExportReportDocument;
  'query ReportDetail($id: ID!, $first: Int = 50, $after: String) {\n  report(id: $id) {\n    id\n    name\n    visibility\n    archived\n    archivedAt\n    createdAt\n    account {\n      id\n      name\n    }\n    createdBy {\n      id\n      name\n    }\n    items(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        source\n        status\n        externalId\n        lastDataAt\n        metrics {\n          impressions\n          clicks\n          reach\n        }\n      }\n    }\n  }\n}': typeof types.ReportDetailDocument;
  'query ReportsPage($archived: Boolean = false, $accountId: ID, $search: String, $first: Int = 20, $after: String) {\n  reports(\n    filter: {archived: $archived, accountId: $accountId, search: $search}\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      name\n      visibility\n      archived\n      archivedAt\n      createdAt\n      account {\n        id\n        name\n        type\n      }\n      createdBy {\n        id\n        name\n      }\n    }\n  }\n}': typeof types.ReportsPageDocument;
  'mutation ScheduleDisconnection($input: ScheduleDisconnectionInput!) {\n  scheduleDisconnection(input: $input) {\n    schedule {\n      id\n      status\n      runAt\n      scheduledBy {\n        id\n        name\n      }\n      preview {\n        reportsToArchive\n        itemsToFreeze\n        mappingsToPause\n        usersLosingAccess {\n          id\n          name\n        }\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}': typeof types.ScheduleDisconnectionDocument;
  'mutation SetConnectionAccess($connectionId: ID!, $access: ClientAccessMode!, $userIds: [ID!]) {\n  setConnectionAccess(\n    input: {connectionId: $connectionId, access: $access, userIds: $userIds}\n  ) {\n    connection {\n      id\n      status\n      clientAccess\n      premiumClient {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}': typeof types.SetConnectionAccessDocument;
  'mutation ShareReport($reportId: ID!, $userIds: [ID!]!) {\n  shareReport(input: {reportId: $reportId, userIds: $userIds}) {\n    report {\n      id\n      name\n      visibility\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}': typeof types.ShareReportDocument;
  'query Viewer {\n  viewer {\n    id\n    email\n    name\n    isStaff\n    memberships {\n      role\n      account {\n        id\n        name\n        type\n        status\n      }\n    }\n  }\n}': typeof types.ViewerDocument;
};
const documents: Documents = {
  'query AccessReview($accountId: ID!, $first: Int) {\n  accessReview(accountId: $accountId) {\n    at\n    account {\n      id\n      name\n    }\n    entries(first: $first) {\n      totalCount\n      nodes {\n        user {\n          id\n          name\n          email\n        }\n        role\n        canAct\n        paths {\n          kind\n          description\n          since\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n    archivedAccess(first: $first) {\n      totalCount\n      nodes {\n        user {\n          id\n          name\n        }\n        paths {\n          description\n        }\n      }\n    }\n    pendingRequests {\n      id\n      status\n      requestedAt\n    }\n  }\n}':
    types.AccessReviewDocument,
  'query Accounts($type: AccountType, $archived: Boolean = false, $first: Int = 20, $after: String) {\n  accounts(\n    filter: {type: $type, archived: $archived}\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      name\n      type\n      status\n      archivedAt\n      clientAccess\n      organization {\n        id\n        name\n      }\n      agency {\n        id\n        name\n      }\n    }\n  }\n}':
    types.AccountsDocument,
  'query AgencyClients($agencyId: ID!, $archived: Boolean = false, $first: Int = 20, $after: String) {\n  account(id: $agencyId) {\n    id\n    name\n    type\n    clients(archived: $archived, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        status\n        archivedAt\n        clientAccess\n      }\n    }\n    connections {\n      id\n      status\n      requestedAt\n      disconnectedAt\n      premiumClient {\n        id\n        name\n      }\n    }\n  }\n}':
    types.AgencyClientsDocument,
  'query ArchivedReports($accountId: ID, $first: Int = 50, $after: String) {\n  reports(\n    filter: {archived: true, accountId: $accountId}\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      name\n      archivedAt\n      account {\n        id\n        name\n      }\n    }\n  }\n}':
    types.ArchivedReportsDocument,
  'mutation CancelScheduledDisconnection($scheduleId: ID!) {\n  cancelScheduledDisconnection(scheduleId: $scheduleId) {\n    schedule {\n      id\n      status\n      cancelledAt\n      cancelledBy {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}':
    types.CancelScheduledDisconnectionDocument,
  'mutation ChangeMemberRole($accountId: ID!, $userId: ID!, $role: Role!) {\n  changeMemberRole(input: {accountId: $accountId, userId: $userId, role: $role}) {\n    membership {\n      role\n      user {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}':
    types.ChangeMemberRoleDocument,
  'mutation DisconnectAgency($connectionId: ID!) {\n  disconnectAgency(connectionId: $connectionId) {\n    connection {\n      id\n      status\n      disconnectedAt\n      disconnectedBy {\n        id\n        name\n      }\n    }\n    impact {\n      reportsToArchive\n      itemsToFreeze\n      mappingsToPause\n      organizationRemoved\n      usersLosingAccess {\n        id\n        email\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}':
    types.DisconnectAgencyDocument,
  'query DisconnectAgencyPreview($connectionId: ID!) {\n  disconnectAgencyPreview(connectionId: $connectionId) {\n    reportsToArchive\n    itemsToFreeze\n    mappingsToPause\n    organizationRemoved\n    usersLosingAccess {\n      id\n      name\n      email\n    }\n  }\n}':
    types.DisconnectAgencyPreviewDocument,
  'mutation DisconnectClient($clientAccountId: ID!) {\n  disconnectClient(clientAccountId: $clientAccountId) {\n    account {\n      id\n      status\n      archivedAt\n    }\n    impact {\n      reportsToArchive\n      itemsToFreeze\n      mappingsToPause\n      organizationRemoved\n      usersLosingAccess {\n        id\n        email\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}':
    types.DisconnectClientDocument,
  'query DisconnectClientPreview($clientAccountId: ID!) {\n  disconnectClientPreview(clientAccountId: $clientAccountId) {\n    reportsToArchive\n    itemsToFreeze\n    mappingsToPause\n    organizationRemoved\n    usersLosingAccess {\n      id\n      name\n      email\n    }\n  }\n}':
    types.DisconnectClientPreviewDocument,
  'mutation DisconnectClients($clientAccountIds: [ID!]!) {\n  disconnectClients(clientAccountIds: $clientAccountIds) {\n    results {\n      clientAccountId\n      account {\n        id\n        status\n      }\n      impact {\n        reportsToArchive\n        usersLosingAccess {\n          id\n        }\n      }\n      userErrors {\n        code\n        message\n        field\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}':
    types.DisconnectClientsDocument,
  'query DisconnectClientsPreview($clientAccountIds: [ID!]!) {\n  disconnectClientsPreview(clientAccountIds: $clientAccountIds) {\n    reportsToArchive\n    itemsToFreeze\n    mappingsToPause\n    organizationRemoved\n    usersLosingAccess {\n      id\n      name\n    }\n  }\n}':
    types.DisconnectClientsPreviewDocument,
  'query ExplainAccess($userId: ID!, $accountId: ID, $reportId: ID) {\n  explainAccess(userId: $userId, accountId: $accountId, reportId: $reportId) {\n    user {\n      id\n      name\n    }\n    canRead\n    canAct\n    role\n    missing\n    paths {\n      kind\n      role\n      description\n      since\n      via {\n        id\n        name\n        type\n      }\n      grantedBy {\n        id\n        name\n      }\n    }\n  }\n}':
    types.ExplainAccessDocument,
  'mutation ExportReport($reportId: ID!, $format: ExportFormat! = CSV) {\n  exportReport(input: {reportId: $reportId, format: $format}) {\n    content\n    url\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}':
    types.ExportReportDocument,
  'query ReportDetail($id: ID!, $first: Int = 50, $after: String) {\n  report(id: $id) {\n    id\n    name\n    visibility\n    archived\n    archivedAt\n    createdAt\n    account {\n      id\n      name\n    }\n    createdBy {\n      id\n      name\n    }\n    items(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        source\n        status\n        externalId\n        lastDataAt\n        metrics {\n          impressions\n          clicks\n          reach\n        }\n      }\n    }\n  }\n}':
    types.ReportDetailDocument,
  'query ReportsPage($archived: Boolean = false, $accountId: ID, $search: String, $first: Int = 20, $after: String) {\n  reports(\n    filter: {archived: $archived, accountId: $accountId, search: $search}\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      name\n      visibility\n      archived\n      archivedAt\n      createdAt\n      account {\n        id\n        name\n        type\n      }\n      createdBy {\n        id\n        name\n      }\n    }\n  }\n}':
    types.ReportsPageDocument,
  'mutation ScheduleDisconnection($input: ScheduleDisconnectionInput!) {\n  scheduleDisconnection(input: $input) {\n    schedule {\n      id\n      status\n      runAt\n      scheduledBy {\n        id\n        name\n      }\n      preview {\n        reportsToArchive\n        itemsToFreeze\n        mappingsToPause\n        usersLosingAccess {\n          id\n          name\n        }\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}':
    types.ScheduleDisconnectionDocument,
  'mutation SetConnectionAccess($connectionId: ID!, $access: ClientAccessMode!, $userIds: [ID!]) {\n  setConnectionAccess(\n    input: {connectionId: $connectionId, access: $access, userIds: $userIds}\n  ) {\n    connection {\n      id\n      status\n      clientAccess\n      premiumClient {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}':
    types.SetConnectionAccessDocument,
  'mutation ShareReport($reportId: ID!, $userIds: [ID!]!) {\n  shareReport(input: {reportId: $reportId, userIds: $userIds}) {\n    report {\n      id\n      name\n      visibility\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}':
    types.ShareReportDocument,
  'query Viewer {\n  viewer {\n    id\n    email\n    name\n    isStaff\n    memberships {\n      role\n      account {\n        id\n        name\n        type\n        status\n      }\n    }\n  }\n}':
    types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query AccessReview($accountId: ID!, $first: Int) {\n  accessReview(accountId: $accountId) {\n    at\n    account {\n      id\n      name\n    }\n    entries(first: $first) {\n      totalCount\n      nodes {\n        user {\n          id\n          name\n          email\n        }\n        role\n        canAct\n        paths {\n          kind\n          description\n          since\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n    archivedAccess(first: $first) {\n      totalCount\n      nodes {\n        user {\n          id\n          name\n        }\n        paths {\n          description\n        }\n      }\n    }\n    pendingRequests {\n      id\n      status\n      requestedAt\n    }\n  }\n}',
): (typeof documents)['query AccessReview($accountId: ID!, $first: Int) {\n  accessReview(accountId: $accountId) {\n    at\n    account {\n      id\n      name\n    }\n    entries(first: $first) {\n      totalCount\n      nodes {\n        user {\n          id\n          name\n          email\n        }\n        role\n        canAct\n        paths {\n          kind\n          description\n          since\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n    archivedAccess(first: $first) {\n      totalCount\n      nodes {\n        user {\n          id\n          name\n        }\n        paths {\n          description\n        }\n      }\n    }\n    pendingRequests {\n      id\n      status\n      requestedAt\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query Accounts($type: AccountType, $archived: Boolean = false, $first: Int = 20, $after: String) {\n  accounts(\n    filter: {type: $type, archived: $archived}\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      name\n      type\n      status\n      archivedAt\n      clientAccess\n      organization {\n        id\n        name\n      }\n      agency {\n        id\n        name\n      }\n    }\n  }\n}',
): (typeof documents)['query Accounts($type: AccountType, $archived: Boolean = false, $first: Int = 20, $after: String) {\n  accounts(\n    filter: {type: $type, archived: $archived}\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      name\n      type\n      status\n      archivedAt\n      clientAccess\n      organization {\n        id\n        name\n      }\n      agency {\n        id\n        name\n      }\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query AgencyClients($agencyId: ID!, $archived: Boolean = false, $first: Int = 20, $after: String) {\n  account(id: $agencyId) {\n    id\n    name\n    type\n    clients(archived: $archived, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        status\n        archivedAt\n        clientAccess\n      }\n    }\n    connections {\n      id\n      status\n      requestedAt\n      disconnectedAt\n      premiumClient {\n        id\n        name\n      }\n    }\n  }\n}',
): (typeof documents)['query AgencyClients($agencyId: ID!, $archived: Boolean = false, $first: Int = 20, $after: String) {\n  account(id: $agencyId) {\n    id\n    name\n    type\n    clients(archived: $archived, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        status\n        archivedAt\n        clientAccess\n      }\n    }\n    connections {\n      id\n      status\n      requestedAt\n      disconnectedAt\n      premiumClient {\n        id\n        name\n      }\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query ArchivedReports($accountId: ID, $first: Int = 50, $after: String) {\n  reports(\n    filter: {archived: true, accountId: $accountId}\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      name\n      archivedAt\n      account {\n        id\n        name\n      }\n    }\n  }\n}',
): (typeof documents)['query ArchivedReports($accountId: ID, $first: Int = 50, $after: String) {\n  reports(\n    filter: {archived: true, accountId: $accountId}\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      name\n      archivedAt\n      account {\n        id\n        name\n      }\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'mutation CancelScheduledDisconnection($scheduleId: ID!) {\n  cancelScheduledDisconnection(scheduleId: $scheduleId) {\n    schedule {\n      id\n      status\n      cancelledAt\n      cancelledBy {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}',
): (typeof documents)['mutation CancelScheduledDisconnection($scheduleId: ID!) {\n  cancelScheduledDisconnection(scheduleId: $scheduleId) {\n    schedule {\n      id\n      status\n      cancelledAt\n      cancelledBy {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'mutation ChangeMemberRole($accountId: ID!, $userId: ID!, $role: Role!) {\n  changeMemberRole(input: {accountId: $accountId, userId: $userId, role: $role}) {\n    membership {\n      role\n      user {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}',
): (typeof documents)['mutation ChangeMemberRole($accountId: ID!, $userId: ID!, $role: Role!) {\n  changeMemberRole(input: {accountId: $accountId, userId: $userId, role: $role}) {\n    membership {\n      role\n      user {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'mutation DisconnectAgency($connectionId: ID!) {\n  disconnectAgency(connectionId: $connectionId) {\n    connection {\n      id\n      status\n      disconnectedAt\n      disconnectedBy {\n        id\n        name\n      }\n    }\n    impact {\n      reportsToArchive\n      itemsToFreeze\n      mappingsToPause\n      organizationRemoved\n      usersLosingAccess {\n        id\n        email\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}',
): (typeof documents)['mutation DisconnectAgency($connectionId: ID!) {\n  disconnectAgency(connectionId: $connectionId) {\n    connection {\n      id\n      status\n      disconnectedAt\n      disconnectedBy {\n        id\n        name\n      }\n    }\n    impact {\n      reportsToArchive\n      itemsToFreeze\n      mappingsToPause\n      organizationRemoved\n      usersLosingAccess {\n        id\n        email\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query DisconnectAgencyPreview($connectionId: ID!) {\n  disconnectAgencyPreview(connectionId: $connectionId) {\n    reportsToArchive\n    itemsToFreeze\n    mappingsToPause\n    organizationRemoved\n    usersLosingAccess {\n      id\n      name\n      email\n    }\n  }\n}',
): (typeof documents)['query DisconnectAgencyPreview($connectionId: ID!) {\n  disconnectAgencyPreview(connectionId: $connectionId) {\n    reportsToArchive\n    itemsToFreeze\n    mappingsToPause\n    organizationRemoved\n    usersLosingAccess {\n      id\n      name\n      email\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'mutation DisconnectClient($clientAccountId: ID!) {\n  disconnectClient(clientAccountId: $clientAccountId) {\n    account {\n      id\n      status\n      archivedAt\n    }\n    impact {\n      reportsToArchive\n      itemsToFreeze\n      mappingsToPause\n      organizationRemoved\n      usersLosingAccess {\n        id\n        email\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}',
): (typeof documents)['mutation DisconnectClient($clientAccountId: ID!) {\n  disconnectClient(clientAccountId: $clientAccountId) {\n    account {\n      id\n      status\n      archivedAt\n    }\n    impact {\n      reportsToArchive\n      itemsToFreeze\n      mappingsToPause\n      organizationRemoved\n      usersLosingAccess {\n        id\n        email\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query DisconnectClientPreview($clientAccountId: ID!) {\n  disconnectClientPreview(clientAccountId: $clientAccountId) {\n    reportsToArchive\n    itemsToFreeze\n    mappingsToPause\n    organizationRemoved\n    usersLosingAccess {\n      id\n      name\n      email\n    }\n  }\n}',
): (typeof documents)['query DisconnectClientPreview($clientAccountId: ID!) {\n  disconnectClientPreview(clientAccountId: $clientAccountId) {\n    reportsToArchive\n    itemsToFreeze\n    mappingsToPause\n    organizationRemoved\n    usersLosingAccess {\n      id\n      name\n      email\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'mutation DisconnectClients($clientAccountIds: [ID!]!) {\n  disconnectClients(clientAccountIds: $clientAccountIds) {\n    results {\n      clientAccountId\n      account {\n        id\n        status\n      }\n      impact {\n        reportsToArchive\n        usersLosingAccess {\n          id\n        }\n      }\n      userErrors {\n        code\n        message\n        field\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}',
): (typeof documents)['mutation DisconnectClients($clientAccountIds: [ID!]!) {\n  disconnectClients(clientAccountIds: $clientAccountIds) {\n    results {\n      clientAccountId\n      account {\n        id\n        status\n      }\n      impact {\n        reportsToArchive\n        usersLosingAccess {\n          id\n        }\n      }\n      userErrors {\n        code\n        message\n        field\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query DisconnectClientsPreview($clientAccountIds: [ID!]!) {\n  disconnectClientsPreview(clientAccountIds: $clientAccountIds) {\n    reportsToArchive\n    itemsToFreeze\n    mappingsToPause\n    organizationRemoved\n    usersLosingAccess {\n      id\n      name\n    }\n  }\n}',
): (typeof documents)['query DisconnectClientsPreview($clientAccountIds: [ID!]!) {\n  disconnectClientsPreview(clientAccountIds: $clientAccountIds) {\n    reportsToArchive\n    itemsToFreeze\n    mappingsToPause\n    organizationRemoved\n    usersLosingAccess {\n      id\n      name\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query ExplainAccess($userId: ID!, $accountId: ID, $reportId: ID) {\n  explainAccess(userId: $userId, accountId: $accountId, reportId: $reportId) {\n    user {\n      id\n      name\n    }\n    canRead\n    canAct\n    role\n    missing\n    paths {\n      kind\n      role\n      description\n      since\n      via {\n        id\n        name\n        type\n      }\n      grantedBy {\n        id\n        name\n      }\n    }\n  }\n}',
): (typeof documents)['query ExplainAccess($userId: ID!, $accountId: ID, $reportId: ID) {\n  explainAccess(userId: $userId, accountId: $accountId, reportId: $reportId) {\n    user {\n      id\n      name\n    }\n    canRead\n    canAct\n    role\n    missing\n    paths {\n      kind\n      role\n      description\n      since\n      via {\n        id\n        name\n        type\n      }\n      grantedBy {\n        id\n        name\n      }\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'mutation ExportReport($reportId: ID!, $format: ExportFormat! = CSV) {\n  exportReport(input: {reportId: $reportId, format: $format}) {\n    content\n    url\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}',
): (typeof documents)['mutation ExportReport($reportId: ID!, $format: ExportFormat! = CSV) {\n  exportReport(input: {reportId: $reportId, format: $format}) {\n    content\n    url\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query ReportDetail($id: ID!, $first: Int = 50, $after: String) {\n  report(id: $id) {\n    id\n    name\n    visibility\n    archived\n    archivedAt\n    createdAt\n    account {\n      id\n      name\n    }\n    createdBy {\n      id\n      name\n    }\n    items(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        source\n        status\n        externalId\n        lastDataAt\n        metrics {\n          impressions\n          clicks\n          reach\n        }\n      }\n    }\n  }\n}',
): (typeof documents)['query ReportDetail($id: ID!, $first: Int = 50, $after: String) {\n  report(id: $id) {\n    id\n    name\n    visibility\n    archived\n    archivedAt\n    createdAt\n    account {\n      id\n      name\n    }\n    createdBy {\n      id\n      name\n    }\n    items(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n        source\n        status\n        externalId\n        lastDataAt\n        metrics {\n          impressions\n          clicks\n          reach\n        }\n      }\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query ReportsPage($archived: Boolean = false, $accountId: ID, $search: String, $first: Int = 20, $after: String) {\n  reports(\n    filter: {archived: $archived, accountId: $accountId, search: $search}\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      name\n      visibility\n      archived\n      archivedAt\n      createdAt\n      account {\n        id\n        name\n        type\n      }\n      createdBy {\n        id\n        name\n      }\n    }\n  }\n}',
): (typeof documents)['query ReportsPage($archived: Boolean = false, $accountId: ID, $search: String, $first: Int = 20, $after: String) {\n  reports(\n    filter: {archived: $archived, accountId: $accountId, search: $search}\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      name\n      visibility\n      archived\n      archivedAt\n      createdAt\n      account {\n        id\n        name\n        type\n      }\n      createdBy {\n        id\n        name\n      }\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'mutation ScheduleDisconnection($input: ScheduleDisconnectionInput!) {\n  scheduleDisconnection(input: $input) {\n    schedule {\n      id\n      status\n      runAt\n      scheduledBy {\n        id\n        name\n      }\n      preview {\n        reportsToArchive\n        itemsToFreeze\n        mappingsToPause\n        usersLosingAccess {\n          id\n          name\n        }\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}',
): (typeof documents)['mutation ScheduleDisconnection($input: ScheduleDisconnectionInput!) {\n  scheduleDisconnection(input: $input) {\n    schedule {\n      id\n      status\n      runAt\n      scheduledBy {\n        id\n        name\n      }\n      preview {\n        reportsToArchive\n        itemsToFreeze\n        mappingsToPause\n        usersLosingAccess {\n          id\n          name\n        }\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'mutation SetConnectionAccess($connectionId: ID!, $access: ClientAccessMode!, $userIds: [ID!]) {\n  setConnectionAccess(\n    input: {connectionId: $connectionId, access: $access, userIds: $userIds}\n  ) {\n    connection {\n      id\n      status\n      clientAccess\n      premiumClient {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}',
): (typeof documents)['mutation SetConnectionAccess($connectionId: ID!, $access: ClientAccessMode!, $userIds: [ID!]) {\n  setConnectionAccess(\n    input: {connectionId: $connectionId, access: $access, userIds: $userIds}\n  ) {\n    connection {\n      id\n      status\n      clientAccess\n      premiumClient {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'mutation ShareReport($reportId: ID!, $userIds: [ID!]!) {\n  shareReport(input: {reportId: $reportId, userIds: $userIds}) {\n    report {\n      id\n      name\n      visibility\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}',
): (typeof documents)['mutation ShareReport($reportId: ID!, $userIds: [ID!]!) {\n  shareReport(input: {reportId: $reportId, userIds: $userIds}) {\n    report {\n      id\n      name\n      visibility\n    }\n    userErrors {\n      code\n      message\n      field\n    }\n  }\n}'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: 'query Viewer {\n  viewer {\n    id\n    email\n    name\n    isStaff\n    memberships {\n      role\n      account {\n        id\n        name\n        type\n        status\n      }\n    }\n  }\n}',
): (typeof documents)['query Viewer {\n  viewer {\n    id\n    email\n    name\n    isStaff\n    memberships {\n      role\n      account {\n        id\n        name\n        type\n        status\n      }\n    }\n  }\n}'];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> =
  TDocumentNode extends DocumentNode<infer TType, any> ? TType : never;
