import { registerEnumType } from 'type-graphql';

export enum AccountType {
  AGENCY = 'AGENCY',
  PREMIUM_CLIENT = 'PREMIUM_CLIENT',
  CLIENT = 'CLIENT',
}
export enum AccountStatus {
  ACTIVE = 'ACTIVE',
  ARCHIVED = 'ARCHIVED',
}
export enum Product {
  AUDIENCE_REPORT = 'AUDIENCE_REPORT',
  USER_REPORT = 'USER_REPORT',
  HUB = 'HUB',
  KITS = 'KITS',
}
export enum Role {
  ADMIN = 'ADMIN',
  ACCOUNT_MANAGER = 'ACCOUNT_MANAGER',
  REGULAR = 'REGULAR',
  VIEW_ONLY = 'VIEW_ONLY',
}
export enum ClientAccessMode {
  EVERYONE_IN_AGENCY = 'EVERYONE_IN_AGENCY',
  SELECTED_USERS = 'SELECTED_USERS',
}
export enum ConnectionStatus {
  PENDING = 'PENDING',
  ACTIVE = 'ACTIVE',
  DECLINED = 'DECLINED',
  CANCELLED = 'CANCELLED',
  DISCONNECTED = 'DISCONNECTED',
  /** R26: a PENDING request nobody answered before its expiresAt. */
  EXPIRED = 'EXPIRED',
}
export enum ReportVisibility {
  ACCOUNT = 'ACCOUNT',
  RESTRICTED = 'RESTRICTED',
}
export enum ReportStatus {
  ACTIVE = 'ACTIVE',
  ARCHIVED = 'ARCHIVED',
}
export enum ItemSource {
  INTEGRATION = 'INTEGRATION',
  MANUAL = 'MANUAL',
}
export enum ItemStatus {
  ACTIVE = 'ACTIVE',
  FROZEN = 'FROZEN',
}
export enum MappingStatus {
  ACTIVE = 'ACTIVE',
  PAUSED = 'PAUSED',
}
export enum ExportFormat {
  CSV = 'CSV',
  JSON = 'JSON',
}
/** R31: where a scheduled disconnection stands; only SCHEDULED can still change. */
export enum ScheduleStatus {
  SCHEDULED = 'SCHEDULED',
  CANCELLED = 'CANCELLED',
  DONE = 'DONE',
  ALREADY_DISCONNECTED = 'ALREADY_DISCONNECTED',
  FAILED = 'FAILED',
}
export enum OutboxStatus {
  PENDING = 'PENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
}

registerEnumType(AccountType, { name: 'AccountType' });
registerEnumType(AccountStatus, { name: 'AccountStatus' });
registerEnumType(Product, { name: 'Product' });
registerEnumType(Role, { name: 'Role' });
registerEnumType(ClientAccessMode, { name: 'ClientAccessMode' });
registerEnumType(ConnectionStatus, { name: 'ConnectionStatus' });
registerEnumType(ReportVisibility, { name: 'ReportVisibility' });
registerEnumType(ItemSource, { name: 'ItemSource' });
registerEnumType(ItemStatus, { name: 'ItemStatus' });
registerEnumType(MappingStatus, { name: 'MappingStatus' });
registerEnumType(ExportFormat, { name: 'ExportFormat' });
registerEnumType(ScheduleStatus, { name: 'ScheduleStatus' });
