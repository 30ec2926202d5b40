import type { NonEmptyArray } from 'type-graphql';
import { AccessPathResolver, AccessReviewResolver } from './access.resolver';
import { AccountResolver } from './account.resolver';
import { AgencyConnectionResolver } from './agency-connection.resolver';
import { AuditEventResolver } from './audit-event.resolver';
import { DisconnectionResolver } from './disconnection.resolver';
import { ExportResolver } from './export.resolver';
import { IntegrationMappingResolver, IntegrationResolver } from './integration.resolver';
import { MemberResolver } from './member.resolver';
import { MembershipResolver } from './membership.resolver';
import { NodeResolver } from './node.resolver';
import { ProvisioningResolver } from './provisioning.resolver';
import { ReportEditResolver } from './report-edit.resolver';
import { ReportResolver } from './report.resolver';
import { ReportingItemResolver } from './reporting-item.resolver';
import { ViewerResolver } from './viewer.resolver';
import {
  AccountScheduleResolver,
  ConnectionScheduleResolver,
  ScheduledDisconnectionResolver,
} from './scheduled-disconnection.resolver';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  AccessPathResolver,
  AccessReviewResolver,
  AccountResolver,
  AccountScheduleResolver,
  AgencyConnectionResolver,
  AuditEventResolver,
  ConnectionScheduleResolver,
  DisconnectionResolver,
  ExportResolver,
  IntegrationMappingResolver,
  IntegrationResolver,
  MemberResolver,
  MembershipResolver,
  NodeResolver,
  ProvisioningResolver,
  ReportEditResolver,
  ReportResolver,
  ReportingItemResolver,
  ScheduledDisconnectionResolver,
  ViewerResolver,
];
