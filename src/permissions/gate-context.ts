import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type {
  Account,
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
 * What the gates and field decisions read of a request. Declared here rather than imported from the request context
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
    // The field decisions (field-decisions.ts) read these.
    accountInternals: DataLoader<string, Account | null>;
    visibleConnection: DataLoader<string, AgencyConnection | null>;
    emailKnown: DataLoader<string, boolean>;
  };
  gateDecisions: GateDecisions;
}
