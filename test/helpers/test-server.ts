import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { DataSource } from 'typeorm';
import { signUserToken } from '../../src/server/auth';
import { startHandover, type RunningHandover } from '../../src/server/bootstrap';
import type { User } from '../../src/entities';
import { statementCounter } from '../../src/database/data-source';
import { createTestDatabase, type TestDatabase } from './test-database';
import { factories, type Factories } from './factories';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: {
    message: string;
    path?: string[];
    locations?: { line: number; column: number }[];
    extensions?: Record<string, any>;
  }[];
}

/** Who sends a request: a user (a JWT is minted), a raw bearer token, or nobody. */
export type As = User | { token: string } | null;

export interface TestServer {
  url: string;
  db: DataSource;
  database: TestDatabase;
  running: RunningHandover;
  tokenFor(user: User): Promise<string>;
  /** POST /graphql as a client would. */
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    as?: As,
  ): Promise<GraphQLResponse<T>>;
  /** The same with a typed document from test/generated (npm run codegen). */
  op<R, V extends Record<string, unknown>>(
    document: TypedDocumentNode<R, V>,
    variables: V,
    as?: As,
  ): Promise<GraphQLResponse<R>>;
  /** Runs `work` and counts the SQL statements the in-process server ran meanwhile. */
  countStatements<T>(
    work: () => Promise<T>,
  ): Promise<{ result: T; statements: number; log: string[] }>;
  stop(): Promise<void>;
}

/** Starts a Handover server on a free port over a fresh database of this test file's own. */
export async function startTestServer(
  envOverrides: Record<string, string> = {},
): Promise<TestServer> {
  const database = await createTestDatabase(envOverrides);
  const running = await startHandover(database.env, { database });
  // As the CLI does: a day, or the server's JWT_MAX_TTL_SECONDS when a test sets it shorter.
  const tokenFor = (user: User) =>
    signUserToken(
      database.env.JWT_SECRET,
      user.id,
      Math.min(24 * 3600, database.env.JWT_MAX_TTL_SECONDS),
    );
  const gql: TestServer['gql'] = async (query, variables = {}, as = null) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (as) headers.authorization = `Bearer ${'token' in as ? as.token : await tokenFor(as)}`;
    const response = await fetch(`${running.url}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
    return { status: response.status, ...body } as GraphQLResponse<any>;
  };
  return {
    url: running.url,
    db: database.db,
    database,
    running,
    tokenFor,
    gql,
    op: (document, variables, as = null) => gql(print(document), variables, as),
    async countStatements(work) {
      const log: string[] = [];
      const before = statementCounter.count;
      statementCounter.log = log;
      try {
        const result = await work();
        return { result, statements: statementCounter.count - before, log };
      } finally {
        statementCounter.log = null;
      }
    },
    async stop() {
      if (database.standby) {
        const { values } = await running.http.metrics.readRouting.get();
        console.log(
          `read routing with a standby: ${values.map((v) => `${v.labels.target}/${v.labels.reason} ${v.value}`).join(', ')}`,
        );
      }
      await running.stop();
    },
  };
}

/**
 * The usual set-up of an API test file: one server over a database of the file's own, started in
 * a `beforeAll` registered here — call it before the file's own `beforeAll`, which then runs after
 * it — and stopped after the file's tests. The server and factories it returns work from inside
 * hooks and tests (they reach the started server when called).
 */
export function useTestServer(envOverrides: Record<string, string> = {}): {
  server: TestServer;
  f: Factories;
} {
  let started: TestServer | undefined;
  const current = (): TestServer => {
    if (!started)
      throw new Error('useTestServer: the server starts in beforeAll; use it in hooks and tests');
    return started;
  };
  beforeAll(async () => {
    started = await startTestServer(envOverrides);
  });
  afterAll(() => started?.stop());
  const server: TestServer = {
    get url() {
      return current().url;
    },
    get db() {
      return current().db;
    },
    get database() {
      return current().database;
    },
    get running() {
      return current().running;
    },
    tokenFor: (user) => current().tokenFor(user),
    gql: (query, variables, as) => current().gql(query, variables, as),
    op: (document, variables, as) => current().op(document, variables, as),
    countStatements: (work) => current().countStatements(work),
    stop: () => current().stop(),
  };
  return { server, f: factories(() => current().db) };
}
