import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type {
  AgencyConnection,
  Integration,
  Membership,
  Report,
  ReportingItem,
  ScheduledDisconnection,
} from '../entities';
import type { AccountAuthority } from './account-authority';
import type { GateDecisions } from './gate-decisions';
import type { Principal } from './principal';

/**
 * What the gates read of a request. Declared here rather than imported from the request context
 * (a layer above: docs/architecture.md): `RequestContext` extends it, so the compiler checks that
 * every request carries what a gate reads. A gate that needs another loader adds it here.
 */
export interface GateContext {
  viewer: Principal | null;
  db: DataSource;
  loaders: {
    authority: DataLoader<string, AccountAuthority | null>;
    connection: DataLoader<string, AgencyConnection | null>;
    integration: DataLoader<string, Integration | null>;
    schedule: DataLoader<string, ScheduledDisconnection | null>;
    visibleReport: DataLoader<string, Report | null>;
    visibleItem: DataLoader<string, ReportingItem | null>;
    membershipsByUser: DataLoader<string, Membership[]>;
  };
  gateDecisions: GateDecisions;
}
