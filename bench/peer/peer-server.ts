/**
 * B9's peer: PostGraphile v4 in library mode on node:http, over the bench world's database, as
 * its documentation sets it up for row-level security: it verifies the same HS256 bearer token
 * Handover gets, and runs every request in a transaction as role `bench_peer` with the token's
 * claims in `jwt.claims.*` (./policies.ts reads `jwt.claims.sub`).
 */
import http from 'node:http';
import Module from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Pool } from 'pg';
import { PEER_ROLE } from './policies';

/**
 * PostGraphile v4 needs graphql 15; the root has Handover's 16, so npm nested copies of 15 under
 * postgraphile/ (with its graphile-build) and graphile-build-pg/ (with a second graphile-build),
 * while graphql-parse-resolve-info, hoisted to the root, resolves Handover's 16. Types built by
 * one copy and checked by another fail: "Cannot use GraphQLList from another module or realm".
 * Resolving `graphql` and `graphile-build` for those two packages from postgraphile/ leaves one
 * copy of each; nothing else resolves differently (Handover loads neither package). This keeps
 * the peer in-process, like the Handover servers it is compared with.
 */
function useOneGraphql15() {
  const dirOf = (name: string) => path.dirname(require.resolve(`${name}/package.json`)) + path.sep;
  const redirectedFrom = ['graphile-build-pg', 'graphql-parse-resolve-info'].map(dirOf);
  const anchor = dirOf('postgraphile');
  type Parent = { filename?: string | null };
  const loader = Module as unknown as {
    _resolveFilename: (request: string, parent?: Parent, ...rest: unknown[]) => string;
  };
  const resolve = loader._resolveFilename;
  if ((resolve as { oneGraphql15?: true }).oneGraphql15) return;
  const redirected = function (
    this: unknown,
    request: string,
    parent?: Parent,
    ...rest: unknown[]
  ) {
    const shared =
      request === 'graphql' || request.startsWith('graphql/') || request === 'graphile-build';
    const filename = parent?.filename;
    if (shared && filename && redirectedFrom.some((dir) => filename.startsWith(dir))) {
      return require.resolve(request, { paths: [anchor] });
    }
    return resolve.call(this, request, parent, ...rest);
  };
  loader._resolveFilename = Object.assign(redirected, { oneGraphql15: true as const });
}

export interface RunningPeer {
  url: string;
  stop(): Promise<void>;
}

export async function startPeer(o: {
  databaseUrl: string;
  /** Handover's pool size, so neither server queues where the other would not. */
  poolSize: number;
  jwtSecret: string;
}): Promise<RunningPeer> {
  useOneGraphql15();
  const { postgraphile } = await import('postgraphile');
  const pool = new Pool({ connectionString: o.databaseUrl, max: o.poolSize });
  const handler = postgraphile(pool, 'public', {
    jwtSecret: o.jwtSecret,
    // Handover's tokens carry no audience: a present but empty `audience` turns off
    // PostGraphile's default check for "postgraphile".
    jwtVerifyOptions: { algorithms: ['HS256'], audience: undefined },
    pgDefaultRole: PEER_ROLE,
    disableDefaultMutations: true,
    graphiql: false,
    disableQueryLog: true,
    retryOnInitFail: false,
    watchPg: false,
    setofFunctionsContainNulls: false,
    legacyRelations: 'omit',
    ignoreRBAC: false,
  });
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.release();
      await pool.end();
    },
  };
}
