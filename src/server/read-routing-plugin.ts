import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, OperationTypeNode, type OperationDefinitionNode } from 'graphql';
import { createLoaders } from '../context/loaders';
import type { RequestContext } from '../context/request-context';
import type { ReadRouter } from '../database/read-routing';
import type { Metrics } from '../ops/metrics';

/**
 * Queries that stay on the primary although they write nothing: the R23 previews are the
 * authority and state checks of a write the caller is about to make (docs/deploying.md).
 */
const PRIMARY_QUERIES = new Set([
  'disconnectAgencyPreview',
  'disconnectClientPreview',
  'disconnectClientsPreview',
]);

function primaryOnly(operation: OperationDefinitionNode): string | null {
  if (operation.operation !== OperationTypeNode.QUERY) return 'write';
  const previews = operation.selectionSet.selections.some(
    (s) => s.kind === Kind.FIELD && PRIMARY_QUERIES.has(s.name.value),
  );
  return previews ? 'preview' : null;
}

/**
 * Issue 27: once the operation is known (before any resolver or shield rule ran), a query that
 * may read from a standby gets the standby's pool and loaders on its context (ReadRouter decides:
 * the standby must have replayed the primary's position at the request's start); everything else
 * keeps the primary. Counted by target and reason.
 */
export function readRoutingPlugin(
  router: ReadRouter,
  metrics: Metrics,
): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (!operation) return;
          const stays = primaryOnly(operation);
          if (stays) {
            metrics.readRouting.inc({ target: 'primary', reason: stays });
            return;
          }
          const { db, reason } = await router.route();
          const standby = db !== contextValue.db;
          metrics.readRouting.inc({ target: standby ? 'standby' : 'primary', reason });
          if (standby) {
            // A preview nested in a read (ScheduledDisconnection.preview) still runs its
            // transaction on the primary (R23: preview == impact).
            contextValue.primaryDb = contextValue.db;
            contextValue.db = db;
            contextValue.loaders = createLoaders(db, contextValue.visibility);
          }
        },
      };
    },
  };
}
