import { InitialSchema1795887514164 } from './1795887514164-initial-schema';
import { PerConnectionAccess1796000000000 } from './1796000000000-per-connection-access';
import { ExpiringRequests1796100000000 } from './1796100000000-expiring-requests';
import { ViewerDrivenListIndexes1796200000000 } from './1796200000000-viewer-driven-list-indexes';
import { ArchivedAccountAccess1796300000000 } from './1796300000000-archived-account-access';
import { AccessHistory1796400000000 } from './1796400000000-access-history';
import { ScheduledDisconnections1796500000000 } from './1796500000000-scheduled-disconnections';

/** Every migration, oldest first. Listed explicitly so the same list runs from src/ (tests) and dist/. */
export const migrations = [
  InitialSchema1795887514164,
  PerConnectionAccess1796000000000,
  ExpiringRequests1796100000000,
  ViewerDrivenListIndexes1796200000000,
  ArchivedAccountAccess1796300000000,
  AccessHistory1796400000000,
  ScheduledDisconnections1796500000000,
];
