import { Account } from './account.entity';
import { AgencyConnection } from './agency-connection.entity';
import { ApiToken } from './api-token.entity';
import { ArchivedAccountAccess } from './archived-account-access.entity';
import { ArchivedReportAccess } from './archived-report-access.entity';
import { AuditEvent } from './audit-event.entity';
import { ClientAccessGrant } from './client-access-grant.entity';
import { ConnectionAccessGrant } from './connection-access-grant.entity';
import { EmailOutbox } from './email-outbox.entity';
import { Integration } from './integration.entity';
import { IntegrationMapping } from './integration-mapping.entity';
import { Membership } from './membership.entity';
import { Organization } from './organization.entity';
import { Report } from './report.entity';
import { ReportItem } from './report-item.entity';
import { ReportShare } from './report-share.entity';
import { ReportingItem } from './reporting-item.entity';
import { ScheduledDisconnection } from './scheduled-disconnection.entity';
import { User } from './user.entity';

export * from './enums';
export {
  Account,
  AgencyConnection,
  ApiToken,
  ArchivedAccountAccess,
  ArchivedReportAccess,
  AuditEvent,
  ClientAccessGrant,
  ConnectionAccessGrant,
  EmailOutbox,
  Integration,
  IntegrationMapping,
  Membership,
  Organization,
  Report,
  ReportItem,
  ReportShare,
  ReportingItem,
  ScheduledDisconnection,
  User,
};

export const entities = [
  Account,
  AgencyConnection,
  ApiToken,
  ArchivedAccountAccess,
  ArchivedReportAccess,
  AuditEvent,
  ClientAccessGrant,
  ConnectionAccessGrant,
  EmailOutbox,
  Integration,
  IntegrationMapping,
  Membership,
  Organization,
  Report,
  ReportItem,
  ReportShare,
  ReportingItem,
  ScheduledDisconnection,
  User,
];
