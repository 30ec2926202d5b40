import { connect, type Socket } from 'node:net';
import { Role, type Account, type User } from '../../src/entities';
import {
  HostileAddOrgAccountDocument,
  HostileClientPreviewDocument,
  HostileConvertDocument,
  HostileDisconnectClientDocument,
} from '../generated/graphql';
import { useTestServer } from '../helpers/test-server';

/**
 * Issue 30 #12 (and issue 26 #1): hostile or mistaken input answers a coded client error, never
 * a 5xx or a bare status line.
 */
const { server, f } = useTestServer();
let admin: User;
let agency: Account;
beforeAll(async () => {
  agency = await f.agency();
  admin = await f.member(agency, Role.ADMIN);
});

it('a NUL character in a variable or a literal answers 400 BAD_USER_INPUT naming where', async () => {
  const refused = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await server.gql(query, variables, admin);
    return {
      status: response.status,
      data: response.data,
      errors: response.errors?.map((e) => ({ extensions: e.extensions, at: !!e.locations })),
    };
  };
  const nul = (field: string, at = true) => ({
    status: 400,
    data: undefined,
    errors: [{ extensions: { code: 'BAD_USER_INPUT', field }, at }],
  });
  // Variables are named by their path in `variables`, literals by field, argument and input field.
  expect(
    await refused(`query ($s: String) { reports(filter: { search: $s }) { totalCount } }`, {
      s: 'a\u0000b',
    }),
  ).toEqual(nul('variables.s', false));
  expect(
    await refused(
      `mutation ($input: AddMemberInput!) { addMember(input: $input) { userErrors { code } } }`,
      { input: { accountId: agency.id, email: 'n@x.test', name: 'N\u0000', role: 'REGULAR' } },
    ),
  ).toEqual(nul('variables.input.name', false));
  expect(
    await refused(
      `mutation { createReport(input: { accountId: "${agency.id}", name: "x\\u0000y", itemIds: [] }) { userErrors { code } } }`,
    ),
  ).toEqual(nul('createReport.input.name'));
  expect(
    await refused(
      `mutation { item: createReportingItem(input: { accountId: "${agency.id}", name: "\\u0000" }) { userErrors { code } } }`,
    ),
  ).toEqual(nul('item.input.name'));
  expect(
    await refused(
      `mutation { createReport(input: { accountId: "${agency.id}", name: "r", itemIds: ["${agency.id}", "\\u0000"] }) { userErrors { code } } }`,
    ),
  ).toEqual(nul('createReport.input.itemIds[1]'));
  // A raw NUL in a block string parses (graphql-js takes any source character there).
  expect(await refused(`{ reports(filter: { search: """a\u0000b""" }) { totalCount } }`)).toEqual(
    nul('reports.filter.search'),
  );
  expect(
    await refused(
      `query ($s: String = "\\u0000") { reports(filter: { search: $s }) { totalCount } }`,
    ),
  ).toEqual(nul('variables.s'));
  // Nothing ran: no item was created.
  const [{ count }] = await server.db.query<{ count: number }[]>(
    `SELECT count(*)::int AS count FROM reporting_items WHERE account_id = $1`,
    [agency.id],
  );
  expect(count).toBe(0);
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
      const body = (await response.json()) as {
        errors: { message: string; extensions: { code: string } }[];
      };
      expect(body.errors.map((e) => e.extensions.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
      expect(body.errors[0].message).toMatch(
        query === big ? /^Syntax Error: .* 2000 tokens/ : /^Syntax Error: Expected Name/,
      );
    }
  }
});

/** Sends raw bytes (fetch refuses such requests) and reads the answer until the server closes. */
async function exchange(
  bytes: string,
  onConnected?: (serverSide: Socket) => void,
): Promise<{ status: number; type?: string; connection?: string; body: unknown }> {
  const url = new URL(server.url);
  const httpServer = server.running.http.httpServer;
  const accepted = new Promise<Socket>((resolve) => httpServer.once('connection', resolve));
  const client = connect(Number(url.port), url.hostname);
  const answer = new Promise<string>((resolve, reject) => {
    let text = '';
    client.on('data', (chunk: Buffer) => (text += chunk.toString()));
    client.on('close', () => resolve(text));
    client.on('error', reject);
  });
  const serverSide = await accepted;
  if (bytes) client.write(bytes);
  onConnected?.(serverSide);
  const [head, body] = (await answer).split('\r\n\r\n');
  const [statusLine, ...headers] = head.split('\r\n');
  const header = (name: string) =>
    headers
      .find((h) => h.toLowerCase().startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim();
  return {
    status: Number(statusLine.split(' ')[1]),
    type: header('content-type'),
    connection: header('connection'),
    // Node's own refusal is a bare status line: its empty body shows as it is.
    body: body ? JSON.parse(body) : body,
  };
}
const refusal = (status: number, code: string, message: string) => ({
  status,
  type: 'application/json; charset=utf-8',
  connection: 'close',
  body: { error: { code, message } },
});

it('an Authorization header over 16 KB answers 431 with a JSON body', async () => {
  const answer = await exchange(
    `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
      `authorization: Bearer ${'x'.repeat(17_000)}\r\ncontent-length: 2\r\n\r\n{}`,
  );
  expect(answer).toEqual(
    refusal(431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', 'Request headers exceed 16 KB'),
  );
});

it('a request Node cannot parse answers 400 with a JSON body, one that timed out 408 as Node would', async () => {
  expect(await exchange('NOT HTTP AT ALL\r\n\r\n')).toEqual(
    refusal(400, 'BAD_REQUEST', 'Malformed HTTP request'),
  );
  // What Node reports once headersTimeout or requestTimeout passed (it checks every 30 s).
  const timedOut = Object.assign(new Error('Request timeout'), {
    code: 'ERR_HTTP_REQUEST_TIMEOUT',
  });
  expect(
    await exchange('POST /graphql HTTP/1.1\r\nhost: x\r\n', (serverSide) =>
      server.running.http.httpServer.emit('clientError', timedOut, serverSide),
    ),
  ).toEqual(refusal(408, 'REQUEST_TIMEOUT', 'The request did not arrive in time'));
});

it('a HUB account is neither disconnected nor converted: INVALID_INPUT, and its preview says the same', async () => {
  const staff = await f.staff();
  const client = await f.client(await f.agency());
  const made = await server.op(
    HostileAddOrgAccountDocument,
    { input: { organizationId: client.organizationId, name: 'Hub', product: 'HUB' } },
    staff,
  );
  const hub = made.data!.addOrganizationAccount.account!.id;
  const preview = await server.op(HostileClientPreviewDocument, { id: hub }, staff);
  const premiumPreview = await server.op(
    HostileClientPreviewDocument,
    { id: (await f.premium()).id },
    staff,
  );
  // As the preview of an account of another type (a premium) answers.
  for (const answer of [preview, premiumPreview]) {
    expect([answer.status, answer.data, answer.errors?.map((e) => e.extensions)]).toEqual([
      200,
      null,
      [{ code: 'BAD_USER_INPUT', userErrorCode: 'INVALID_INPUT', field: ['clientAccountId'] }],
    ]);
  }
  const disconnect = await server.op(HostileDisconnectClientDocument, { id: hub }, staff);
  expect(disconnect.data!.disconnectClient.userErrors).toEqual([
    { code: 'INVALID_INPUT', field: ['clientAccountId'] },
  ]);
  const convert = await server.op(
    HostileConvertDocument,
    { input: { clientAccountId: hub, contractReference: 'K-1' } },
    staff,
  );
  expect(convert.data!.convertClientToPremium.userErrors).toEqual([
    { code: 'INVALID_INPUT', field: ['input', 'clientAccountId'] },
  ]);
});
