import type { DataSource } from 'typeorm';
import type { Env } from '../config/env';
import type { Logger } from '../config/logger';
import { Visibility } from '../permissions/visibility';
import { unauthenticated } from '../shared/errors';
import { createLoaders, type Loaders } from './loaders';
import { jobPrincipal, type Principal as Viewer } from '../permissions/principal';
import type { User } from '../entities';
import type { GateDecisions } from '../permissions/gate-decisions';
import type { GateContext } from '../permissions/gate-context';

/**
 * Everything a resolver or service needs for one request (the shield gates read the part they
 * declare: GateContext). Nothing here outlives the request.
 */
export interface RequestContext extends GateContext {
  requestId: string;
  viewer: Viewer | null;
  /** The request's database: the primary, or for a routed read a standby (issue 27). */
  db: DataSource;
  /** Set when `db` is a standby: the primary, for what must run there (previews). */
  primaryDb?: DataSource;
  env: Env;
  log: Logger;
  loaders: Loaders;
  /** The viewer's visibility predicates; null for anonymous requests. */
  visibility: Visibility | null;
  /** This server's own base URL for links it hands out (PUBLIC_URL, else its HOST:PORT). */
  baseUrl: string;
  /** What the shield gates decided on; the operation's transaction confirms it (issue 30 #6). */
  gateDecisions: GateDecisions;
}

export function buildContext(args: {
  requestId: string;
  viewer: Viewer | null;
  /** The request's database: the primary, or for a routed read a standby (issue 27). */
  db: DataSource;
  /** Set when `db` is a standby: the primary, for what must run there (previews). */
  primaryDb?: DataSource;
  env: Env;
  log: Logger;
  baseUrl: string;
}): RequestContext {
  const visibility = args.viewer ? new Visibility(args.viewer) : null;
  return {
    ...args,
    visibility,
    loaders: createLoaders(args.db, visibility),
    gateDecisions: { field: null, list: [] },
  };
}

/** The signed-in viewer; shield has already refused anonymous requests. */
export function requireViewer(ctx: RequestContext): { viewer: Viewer; visibility: Visibility } {
  if (!ctx.viewer || !ctx.visibility) throw unauthenticated();
  return { viewer: ctx.viewer, visibility: ctx.visibility };
}

/**
 * R31 (issue 28 #0): the context a background job runs a service with — like a request's, so
 * the immediate mutation and the job drive the same steps, but its principal is the job's
 * ("the scheduler, acting for account X, on behalf of user Y"): audit events and emails name
 * both, and its request id names the run.
 */
export function jobContext(args: {
  schedule: { id: string; schedulingAccountId: string; attempts: number };
  onBehalfOf: User;
  db: DataSource;
  env: Env;
  log: Logger;
}): RequestContext {
  const { schedule } = args;
  return buildContext({
    requestId: `scheduler:${schedule.id}:${schedule.attempts}`,
    viewer: jobPrincipal(args.onBehalfOf, {
      scheduleId: schedule.id,
      onBehalfOfAccountId: schedule.schedulingAccountId,
    }),
    db: args.db,
    env: args.env,
    log: args.log.child({ job: 'scheduler', scheduleId: schedule.id }),
    baseUrl: args.env.PUBLIC_URL ?? '',
  });
}
