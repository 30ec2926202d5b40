import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  DisconnectionAcceptConnectionDocument,
  DisconnectionAccountDocument,
  DisconnectionAuditEventsDocument,
  DisconnectionCancelConnectionDocument,
  DisconnectionConvertClientToPremiumDocument,
  DisconnectionCreateReportDocument,
  DisconnectionDeclineConnectionDocument,
  DisconnectionDisconnectAgencyDocument,
  DisconnectionDisconnectAgencyPreviewDocument,
  DisconnectionDisconnectClientDocument,
  DisconnectionDisconnectClientPreviewDocument,
  DisconnectionReportsDocument,
  DisconnectionRequestConnectionDocument,
} from '../generated/graphql';
import { Role, type Account, type User } from '../../src/entities';
import type { Factories } from '../helpers/factories';
import type { As, GraphQLResponse, TestServer } from '../helpers/test-server';

/** The operations the disconnection tests send (test/operations/disconnection.graphql). */
export const ops = {
  requestConnection: DisconnectionRequestConnectionDocument,
  acceptConnection: DisconnectionAcceptConnectionDocument,
  declineConnection: DisconnectionDeclineConnectionDocument,
  cancelConnection: DisconnectionCancelConnectionDocument,
  disconnectAgency: DisconnectionDisconnectAgencyDocument,
  disconnectAgencyPreview: DisconnectionDisconnectAgencyPreviewDocument,
  disconnectClient: DisconnectionDisconnectClientDocument,
  disconnectClientPreview: DisconnectionDisconnectClientPreviewDocument,
  convertClientToPremium: DisconnectionConvertClientToPremiumDocument,
  auditEvents: DisconnectionAuditEventsDocument,
  reports: DisconnectionReportsDocument,
  account: DisconnectionAccountDocument,
  createReport: DisconnectionCreateReportDocument,
};

/** The payload of the single root field of a response, failing loudly on top-level errors. */
export async function call<T = any, V extends Record<string, unknown> = Record<string, unknown>>(
  server: TestServer,
  document: TypedDocumentNode<any, V>,
  variables: V,
  as: As,
): Promise<T> {
  const response: GraphQLResponse = await server.op(document, variables, as);
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return Object.values(response.data ?? {})[0] as T;
}

/** The top-level error codes of a response. */
export async function errorCodes<V extends Record<string, unknown>>(
  server: TestServer,
  document: TypedDocumentNode<any, V>,
  variables: V,
  as: As,
) {
  const response = await server.op(document, variables, as);
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
