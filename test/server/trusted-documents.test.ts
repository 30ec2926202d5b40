import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Role, type User } from '../../src/entities';
import { factories } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Issue 26: the frontend's operations as trusted documents (examples/generated/
 * persisted-documents.json, written by codegen's client preset), in the three modes of
 * TRUSTED_DOCUMENTS, for each kind of principal.
 */
const manifest = JSON.parse(
  readFileSync(
    path.join(__dirname, '..', '..', 'examples', 'generated', 'persisted-documents.json'),
    'utf8',
  ),
) as Record<string, string>;
const [viewerId, viewerDocument] = Object.entries(manifest).find(([, doc]) =>
  doc.startsWith('query Viewer'),
)!;

async function post(server: TestServer, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as {
    data?: { viewer?: { id: string } };
    errors?: { extensions?: { code?: string } }[];
  };
  return {
    status: response.status,
    viewer: json.data?.viewer?.id ?? null,
    codes: (json.errors ?? []).map((e) => e.extensions?.code),
  };
}

describe.each(['allow', 'require', 'off'] as const)('TRUSTED_DOCUMENTS=%s', (mode) => {
  let server: TestServer;
  let user: User;
  let jwt: Record<string, string>;
  let token: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer({ TRUSTED_DOCUMENTS: mode });
    const f = factories(server.db);
    const agency = await f.agency();
    user = await f.member(agency, Role.ADMIN);
    jwt = { authorization: `Bearer ${await server.tokenFor(user)}` };
    token = { authorization: `Bearer ${(await f.apiToken(agency, user)).token}` };
  });
  afterAll(() => server.stop());

  it('a user names a known document by documentId or persistedQuery hash', async () => {
    const byId = await post(server, { documentId: viewerId }, jwt);
    const byHash = await post(
      server,
      { extensions: { persistedQuery: { version: 1, sha256Hash: viewerId.slice(7) } } },
      jwt,
    );
    if (mode === 'off') {
      expect(byId.status).toBe(400);
      expect(byId.viewer).toBeNull();
    } else {
      expect([byId.status, byId.viewer]).toEqual([200, user.id]);
      expect([byHash.status, byHash.viewer]).toEqual([200, user.id]);
    }
  });

  it('an unknown id is a clear coded error', async () => {
    const unknown = await post(server, { documentId: `sha256:${'0'.repeat(64)}` }, jwt);
    expect(unknown.status).toBe(400);
    if (mode !== 'off') expect(unknown.codes).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('a full document: from a user only unless required; from a token and the explorer always', async () => {
    const asUser = await post(server, { query: viewerDocument }, jwt);
    if (mode === 'require') {
      expect([asUser.status, asUser.codes]).toEqual([400, ['TRUSTED_DOCUMENT_REQUIRED']]);
    } else {
      expect([asUser.status, asUser.viewer]).toEqual([200, user.id]);
    }
    const asToken = await post(server, { query: viewerDocument }, token);
    expect([asToken.status, asToken.viewer]).toEqual([200, user.id]);
    const fromExplorer = await post(
      server,
      { query: viewerDocument },
      {
        ...jwt,
        'x-handover-client': 'explorer',
      },
    );
    expect([fromExplorer.status, fromExplorer.viewer]).toEqual([200, user.id]);
  });
});
