import { logger } from '../../src/config/logger';
import { Role, type Account, type User } from '../../src/entities';
import { registerHttpRoutes } from '../../src/server/app';
import { authorityOps as M } from '../helpers/authority-operations';
import { factories } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { TestViewerIdDocument } from '../generated/graphql';

/**
 * Issue 9, finding 6: every non-GraphQL HTTP error answers `{"error": {"code", "message"}}` with
 * its status — never Express's HTML page or a stack trace — in development and production alike.
 */

// An unexpected failure in a route: its message and stack must never reach the client.
const SECRET_DETAIL = 'connection to 10.0.0.7 refused at Pool.connect (/srv/app/pool.js:42:7)';
registerHttpRoutes((app) => {
  app.get('/test-only/throws', () => {
    throw new Error(SECRET_DETAIL);
  });
  app.get('/test-only/rejects', async () => {
    await Promise.resolve();
    throw new Error(SECRET_DETAIL);
  });
});

const GENERIC_500 = {
  error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' },
};

/** Exact status and body; JSON, no HTML, no stack frame ("    at fn (file:1:2)"). */
async function expectJsonError(response: Response, status: number, body: unknown) {
  const text = await response.text();
  expect({ status: response.status, body: JSON.parse(text) as unknown }).toEqual({ status, body });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(text).not.toMatch(/<html|<pre|<!DOCTYPE/i);
  expect(text).not.toMatch(/\bat \S+ \(|\bat \//);
  expect(text).not.toContain(SECRET_DETAIL);
}

describe.each(['development', 'production'])('with NODE_ENV=%s', (nodeEnv) => {
  let server: TestServer;
  let agency: Account;
  let user: User;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: nodeEnv });
    const f = factories(server.db);
    agency = await f.agency();
    user = await f.member(agency, Role.ADMIN);
  });
  afterAll(() => server.stop());

  const postGraphql = (body: string | Buffer, contentType?: string) =>
    fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: contentType ? { 'content-type': contentType } : {},
      body,
    });

  it('finding 6: a truncated JSON body answers 400 JSON without a stack', async () => {
    await expectJsonError(await postGraphql('{"query": "{ viewer { id', 'application/json'), 400, {
      error: { code: 'BAD_REQUEST', message: 'The request body is not valid JSON' },
    });
  });

  it('a truncated body with a bad token still answers 400: authentication, started with the headers, is not what refuses it', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-jwt' },
      body: '{"query": "{ viewer { id',
    });
    await expectJsonError(response, 400, {
      error: { code: 'BAD_REQUEST', message: 'The request body is not valid JSON' },
    });
    // The refused authentication was never read, and the server still answers.
    const after = await server.op(TestViewerIdDocument, {}, user);
    expect(after.data).toEqual({ viewer: { id: user.id } });
  });

  it('finding 6: a body over 1 MB answers 413 JSON', async () => {
    const body = JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(1024 * 1024) });
    await expectJsonError(await postGraphql(body, 'application/json'), 413, {
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
    });
  });

  it.each(['application/xml', 'text/plain', 'application/x-www-form-urlencoded'])(
    'finding 6: a POST /graphql body of type %s answers 415 JSON',
    async (contentType) => {
      await expectJsonError(await postGraphql('{"query":"{ __typename }"}', contentType), 415, {
        error: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: 'POST /graphql takes a body of type application/json',
        },
      });
    },
  );

  it('finding 6: a JSON body in an unsupported charset or encoding answers 415 JSON', async () => {
    const expected = {
      error: {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'The request body’s content type, charset or encoding is not supported',
      },
    };
    await expectJsonError(
      await postGraphql('{}', 'application/json; charset=latin9'),
      415,
      expected,
    );
    const encoded = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
      body: '{}',
    });
    await expectJsonError(encoded, 415, expected);
  });

  it('finding 6: a URL that does not decode answers 400 JSON', async () => {
    await expectJsonError(await fetch(`${server.url}/exports/%E0%A4%A.csv`), 400, {
      error: { code: 'BAD_REQUEST', message: 'Bad request' },
    });
  });

  it('finding 6: an unknown route answers 404 JSON', async () => {
    const expected = { error: { code: 'NOT_FOUND', message: 'No such route' } };
    await expectJsonError(await fetch(`${server.url}/no/such/route`), 404, expected);
    await expectJsonError(
      await fetch(`${server.url}/no/such/route`, { method: 'POST', body: '{' }),
      404,
      expected,
    );
  });

  it('finding 6: an unexpected error answers a generic 500 JSON, logged with the request id', async () => {
    const logged = jest.spyOn(logger, 'error');
    try {
      for (const path of ['/test-only/throws', '/test-only/rejects']) {
        const response = await fetch(`${server.url}${path}`, {
          headers: { 'x-request-id': `req-${path.slice(11)}` },
        });
        expect(response.headers.get('x-request-id')).toBe(`req-${path.slice(11)}`);
        await expectJsonError(response, 500, GENERIC_500);
      }
      const calls = logged.mock.calls.map(([fields]) => fields as Record<string, unknown>);
      expect(calls.map((fields) => [fields.requestId, (fields.err as Error).message])).toEqual([
        ['req-throws', SECRET_DETAIL],
        ['req-rejects', SECRET_DETAIL],
      ]);
    } finally {
      logged.mockRestore();
    }
  });

  /**
   * GraphQL's unexpected failures: the answer says nothing of the cause, carries the request id,
   * and the cause is logged under that id — once, whether it happened while the context was
   * built (the authentication statement) or in a resolver (the list statement).
   */
  it.each([
    ['the authentication statement', 'FROM users WHERE id', 500, 'req-context', undefined],
    ['a resolver', 'FROM reports', 200, 'req-resolver', ['reports']],
  ])(
    'an unexpected failure in %s answers INTERNAL_SERVER_ERROR with the request id it was logged under',
    async (_where, failingSql, status, requestId, path) => {
      const logged = jest.spyOn(logger, 'error');
      const driver = server.db.driver;
      const escape = driver.escapeQueryWithParameters.bind(driver);
      const failing = jest
        .spyOn(driver, 'escapeQueryWithParameters')
        .mockImplementation((sql: string, parameters: Record<string, unknown>) => {
          if (sql.includes(failingSql)) throw new Error(SECRET_DETAIL);
          return escape(sql, parameters);
        });
      try {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-request-id': requestId,
            authorization: `Bearer ${await server.tokenFor(user)}`,
          },
          body: JSON.stringify({ query: '{ reports(first: 1) { totalCount } }' }),
        });
        const text = await response.text();
        expect(text).not.toContain(SECRET_DETAIL);
        const body = JSON.parse(text) as { errors: Record<string, unknown>[] };
        expect(response.status).toBe(status);
        expect(
          body.errors.map((e) => ({ message: e.message, path: e.path, extensions: e.extensions })),
        ).toEqual([
          {
            message: 'Internal server error',
            path,
            extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
          },
        ]);
        const calls = logged.mock.calls.map(([fields]) => fields as Record<string, unknown>);
        expect(calls.map((fields) => [fields.requestId, (fields.err as Error).message])).toEqual([
          [requestId, SECRET_DETAIL],
        ]);
      } finally {
        failing.mockRestore();
        logged.mockRestore();
      }
    },
  );

  it('finding 6: a malformed or oversized pixel body answers 400 / 413 JSON', async () => {
    const token = await createApiToken(server, agency, user);
    const itemId = '00000000-0000-4000-8000-000000000000';
    const pixel = (body: string) =>
      fetch(`${server.url}/pixel/${itemId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
    await expectJsonError(await pixel('{"impressions": 1'), 400, {
      error: { code: 'BAD_REQUEST', message: 'The request body is not valid JSON' },
    });
    await expectJsonError(await pixel(`{"pad":"${'x'.repeat(5000)}"}`), 413, {
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
    });
  });

  it('still serves POST /graphql with application/json; charset=utf-8', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        authorization: `Bearer ${await server.tokenFor(user)}`,
      },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: { viewer: { id: expect.any(String) } },
      extensions: { cost: expect.objectContaining({ requestedQueryCost: 4 }) },
    });
  });
});

async function createApiToken(server: TestServer, account: Account, admin: User) {
  const response = await server.op(
    M.createToken,
    { input: { accountId: account.id, name: 'pixel' } },
    admin,
  );
  expect(response.data!.createApiToken.userErrors).toEqual([]);
  return response.data!.createApiToken.token as string;
}
