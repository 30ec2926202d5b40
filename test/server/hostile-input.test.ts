import { request } from 'node:http';
import { Role, type User } from '../../src/entities';
import { useTestServer } from '../helpers/test-server';

/**
 * Issue 30 #12 (and issue 26 #1): hostile or mistaken input answers a coded client error, never
 * a 5xx or a bare status line.
 */
const { server, f } = useTestServer();
let admin: User;
beforeAll(async () => {
  admin = await f.member(await f.agency(), Role.ADMIN);
});
const codes = (r: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  (r.errors ?? []).map((e) => e.extensions?.code);

it('a NUL character in a variable or a literal answers 400 BAD_USER_INPUT naming where', async () => {
  const inVariable = await server.gql(
    `query ($s: String) { reports(filter: { search: $s }) { totalCount } }`,
    { s: 'a\u0000b' },
    admin,
  );
  expect(inVariable.status).toBe(400);
  expect(inVariable.errors?.map((e) => e.extensions)).toEqual([
    { code: 'BAD_USER_INPUT', field: 'variables.s' },
  ]);
  const inLiteral = await server.gql(
    `mutation { createReport(input: { accountId: "${admin.id}", name: "x\\u0000y", itemIds: [] }) { userErrors { code } } }`,
    {},
    admin,
  );
  expect(inLiteral.status).toBe(400);
  expect(codes(inLiteral)).toEqual(['BAD_USER_INPUT']);
});

it('a syntax error and a 3,000-token query answer 400 GRAPHQL_PARSE_FAILED, for both media types', async () => {
  const big = `{ ${Array.from({ length: 1500 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
  for (const query of ['{', big]) {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify({ query }),
      });
      expect([query.length, accept, response.status]).toEqual([query.length, accept, 400]);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors.map((e) => e.extensions.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
    }
  }
});

it('an Authorization header over 16 KB answers 431 with a JSON body', async () => {
  const url = new URL(server.url);
  const answer = await new Promise<{ status?: number; type?: string; body: string }>(
    (resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/graphql',
          method: 'POST',
          headers: {
            authorization: `Bearer ${'x'.repeat(17_000)}`,
            'content-type': 'application/json',
          },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode, type: res.headers['content-type'], body }),
          );
        },
      );
      req.on('error', reject);
      req.end('{"query":"{ __typename }"}');
    },
  );
  expect(answer).toEqual({
    status: 431,
    type: 'application/json; charset=utf-8',
    body: JSON.stringify({
      error: { code: 'REQUEST_HEADER_FIELDS_TOO_LARGE', message: 'Request headers exceed 16 KB' },
    }),
  });
});

it('a HUB account is neither disconnected nor converted: INVALID_INPUT, and its preview says the same', async () => {
  const staff = await f.staff();
  const client = await f.client(await f.agency());
  const made = await server.gql(
    `mutation ($input: AddOrganizationAccountInput!) { addOrganizationAccount(input: $input) { account { id } } }`,
    { input: { organizationId: client.organizationId, name: 'Hub', product: 'HUB' } },
    staff,
  );
  const hub = made.data!.addOrganizationAccount.account.id as string;
  const preview = await server.gql(
    `query ($id: ID!) { disconnectClientPreview(clientAccountId: $id) { reportsToArchive } }`,
    { id: hub },
    staff,
  );
  expect(preview.errors?.map((e) => e.extensions)).toEqual([
    { code: 'BAD_USER_INPUT', userErrorCode: 'INVALID_INPUT', field: ['clientAccountId'] },
  ]);
  const disconnect = await server.gql(
    `mutation ($id: ID!) { disconnectClient(clientAccountId: $id) { userErrors { code field } } }`,
    { id: hub },
    staff,
  );
  expect(disconnect.data!.disconnectClient.userErrors).toEqual([
    { code: 'INVALID_INPUT', field: ['clientAccountId'] },
  ]);
  const convert = await server.gql(
    `mutation ($input: ConvertClientToPremiumInput!) { convertClientToPremium(input: $input) { userErrors { code field } } }`,
    { input: { clientAccountId: hub, contractReference: 'K-1' } },
    staff,
  );
  expect(convert.data!.convertClientToPremium.userErrors).toEqual([
    { code: 'INVALID_INPUT', field: ['input', 'clientAccountId'] },
  ]);
});
