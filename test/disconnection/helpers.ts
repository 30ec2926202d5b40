import { Role, type Account, type User } from '../../src/entities';
import type { Factories } from '../helpers/factories';
import type { As, GraphQLResponse, TestServer } from '../helpers/test-server';

export const IMPACT = `reportsToArchive itemsToFreeze mappingsToPause organizationRemoved
  usersLosingAccess { id email }`;

export const CONNECTION = `id status requestedAt respondedAt disconnectedAt
  agency { id } premiumClient { id } requestedBy { id } disconnectedBy { id }`;

export const USER_ERRORS = 'userErrors { code message field }';

export const ops = {
  requestConnection: `mutation ($input: RequestConnectionInput!) {
    requestConnection(input: $input) { connection { ${CONNECTION} } ${USER_ERRORS} } }`,
  acceptConnection: `mutation ($id: ID!) {
    acceptConnection(connectionId: $id) { connection { ${CONNECTION} } ${USER_ERRORS} } }`,
  declineConnection: `mutation ($id: ID!) {
    declineConnection(connectionId: $id) { connection { ${CONNECTION} } ${USER_ERRORS} } }`,
  cancelConnection: `mutation ($id: ID!) {
    cancelConnection(connectionId: $id) { connection { ${CONNECTION} } ${USER_ERRORS} } }`,
  disconnectAgency: `mutation ($id: ID!) {
    disconnectAgency(connectionId: $id) {
      connection { ${CONNECTION} } impact { ${IMPACT} } ${USER_ERRORS} } }`,
  disconnectAgencyPreview: `query ($id: ID!) { disconnectAgencyPreview(connectionId: $id) { ${IMPACT} } }`,
  disconnectClient: `mutation ($id: ID!) {
    disconnectClient(clientAccountId: $id) {
      account { id status archivedAt } impact { ${IMPACT} } ${USER_ERRORS} } }`,
  disconnectClientPreview: `query ($id: ID!) { disconnectClientPreview(clientAccountId: $id) { ${IMPACT} } }`,
  convertClientToPremium: `mutation ($input: ConvertClientToPremiumInput!) {
    convertClientToPremium(input: $input) {
      account { id type status agency { id } clientAccess
                connections { id status clientAccess agency { id } } }
      ${USER_ERRORS} } }`,
  auditEvents: `query ($id: ID!) {
    auditEvents(accountId: $id, first: 100) { nodes { id action actor { id } account { id } details } } }`,
  reports: `query ($accountId: ID, $archived: Boolean) {
    reports(filter: { accountId: $accountId, archived: $archived }, first: 100) {
      totalCount nodes { id archived } } }`,
  account: `query ($id: ID!) { account(id: $id) { id status type } }`,
  createReport: `mutation ($input: CreateReportInput!) {
    createReport(input: $input) { report { id } ${USER_ERRORS} } }`,
};

/** The payload of the single root field of a response, failing loudly on top-level errors. */
export async function call<T = any>(
  server: TestServer,
  query: string,
  variables: Record<string, unknown>,
  as: As,
): Promise<T> {
  const response: GraphQLResponse = await server.gql(query, variables, as);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return Object.values(response.data ?? {})[0] as T;
}

/** The top-level error codes of a response. */
export async function errorCodes(
  server: TestServer,
  query: string,
  variables: Record<string, unknown>,
  as: As,
) {
  const response = await server.gql(query, variables, as);
  return (response.errors ?? []).map((e) => e.extensions?.code);
}

export const ids = (rows: { id: string }[]) => rows.map((row) => row.id).sort();

/** An agency with one user of each role. */
export async function agencyWithStaff(f: Factories) {
  const agency = await f.agency();
  return {
    agency,
    admin: await f.member(agency, Role.ADMIN),
    manager: await f.member(agency, Role.ACCOUNT_MANAGER),
    regular: await f.member(agency, Role.REGULAR),
    viewOnly: await f.member(agency, Role.VIEW_ONLY),
  };
}

/** A premium client with one user of each role. */
export async function premiumWithStaff(f: Factories, o: Partial<Account> = {}) {
  const premium = await f.premium(o);
  return {
    premium,
    admin: await f.member(premium, Role.ADMIN),
    manager: await f.member(premium, Role.ACCOUNT_MANAGER),
    regular: await f.member(premium, Role.REGULAR),
    viewOnly: await f.member(premium, Role.VIEW_ONLY),
  };
}

export type Named = Record<string, User>;
