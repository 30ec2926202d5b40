import { Role } from '../../src/entities';
import { demoSignInEnabled } from '../../src/server/explorer/explorer-sign-in';
import { explorerEnabled } from '../../src/server/explorer/explorer.routes';
import { DEMO_USERS, seedDemoWorldIfEmpty } from '../../src/seed/demo-world';
import { factories } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { TestViewerEmailDocument } from '../generated/graphql';

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('the offline explorer (EXPLORER on by default outside production)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('serves GraphiQL for a browser GET /graphql, with a self-only CSP', async () => {
    const response = await fetch(`${server.url}/graphql`, { headers: html });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:|unsafe-inline|unsafe-eval/);
    const body = await response.text();
    expect(body).not.toMatch(/https?:\/\//);
    expect(body).toContain('/explorer/assets/graphiql.min.js');
    // Example operations are preloaded as tabs, with the Authorization placeholder.
    expect(body).toContain('query Viewer');
    expect(body).toContain('query ReportsPage');
    expect(body).toContain('query DisconnectClientPreview');
    expect(body).toContain('Bearer \\u003cpaste a demo token\\u003e');
  });

  it.each([
    ['react.production.min.js', /javascript/],
    ['react-dom.production.min.js', /javascript/],
    ['graphiql.min.js', /javascript/],
    ['graphiql.min.css', /css/],
    ['explorer.js', /javascript/],
    ['explorer.css', /css/],
  ])('serves /explorer/assets/%s from the installed packages', async (name, type) => {
    const response = await fetch(`${server.url}/explorer/assets/${name}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(type);
    expect((await response.text()).length).toBeGreaterThan(50);
  });

  it('serves nothing else under /explorer/assets', async () => {
    for (const name of ['package.json', '..%2F..%2Fpackage.json', 'graphiql.min.js.map']) {
      expect((await fetch(`${server.url}/explorer/assets/${name}`)).status).toBe(404);
    }
  });

  it('leaves JSON GETs and POSTs to Apollo, with CSRF prevention on', async () => {
    const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{__typename}')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(get.headers.get('content-type')).toMatch(/json/);

    const post = await server.gql('{ __typename }');
    expect(post.data).toEqual({ __typename: 'Query' });

    // A "simple" cross-site request (no JSON content type, no preflight header) is refused.
    const csrf = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{__typename}')}`);
    expect(csrf.status).toBe(400);
    expect(await csrf.text()).toMatch(/CSRF/i);
  });
});

describe('EXPLORER=off', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ EXPLORER: 'off' });
  });
  afterAll(() => server.stop());

  it('serves no explorer page and no assets', async () => {
    const page = await fetch(`${server.url}/graphql`, { headers: html });
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect((await fetch(`${server.url}/explorer/assets/graphiql.min.js`)).status).toBe(404);
  });
});

describe('explorerEnabled', () => {
  it.each([
    ['auto', 'development', true],
    ['auto', 'test', true],
    ['auto', 'production', false],
    ['on', 'production', true],
    ['off', 'development', false],
  ] as const)('EXPLORER=%s NODE_ENV=%s → %s', (EXPLORER, NODE_ENV, expected) => {
    expect(explorerEnabled({ EXPLORER, NODE_ENV })).toBe(expected);
  });
});

describe('"Sign in as" a demo user (issue 26; development only)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const signIn = (email: unknown, contentType = 'application/json') =>
    fetch(`${server.url}/explorer/sign-in-as`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: JSON.stringify({ email }),
    });
  const demoUsers = async () =>
    (await (await fetch(`${server.url}/explorer/demo-users`)).json()) as {
      users: { email: string; name: string; role: string }[];
    };

  it('offers nobody and signs nobody in until the demo world is there', async () => {
    expect(await demoUsers()).toEqual({ users: [] });
    const refused = await signIn('admin@northwind.example');
    expect(refused.status).toBe(404);
    expect(await refused.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'Not a demo user of this database' },
    });
  });

  it('lists the demo users and gives a token that signs in as the one chosen, and only them', async () => {
    expect(await seedDemoWorldIfEmpty(server.db, server.database.env)).not.toBeNull();
    const { users } = await demoUsers();
    expect(users.map((u) => u.email)).toEqual(DEMO_USERS.map((u) => u.email));
    expect(users.find((u) => u.email === 'regular@northwind.example')).toEqual({
      email: 'regular@northwind.example',
      name: 'Rita Regular',
      role: 'Northwind Agency REGULAR',
    });
    const response = await signIn('Regular@Northwind.example');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { token } = (await response.json()) as { token: string };
    const viewer = await server.op(TestViewerEmailDocument, {}, { token });
    expect(viewer.data).toEqual({ viewer: { email: 'regular@northwind.example' } });

    // Anyone else — a user of the same database who is not a demo user — is not offered.
    const other = await factories(server.db).member(
      await factories(server.db).agency(),
      Role.ADMIN,
    );
    expect((await signIn(other.email)).status).toBe(404);
    expect((await signIn(42)).status).toBe(404);
    expect((await signIn('admin@northwind.example', 'text/plain')).status).toBe(415);
  });

  it('the explorer page asks for the demo users outside production only', async () => {
    const body = await (await fetch(`${server.url}/graphql`, { headers: html })).text();
    expect(body).toContain('"demoUsers":"/explorer/demo-users"');
    expect(demoSignInEnabled({ NODE_ENV: 'production' }, true)).toBe(false);
    expect(demoSignInEnabled({ NODE_ENV: 'development' }, false)).toBe(false);
    expect(demoSignInEnabled({ NODE_ENV: 'development' }, true)).toBe(true);
  });
});

describe('EXPLORER=on in production', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ EXPLORER: 'on', NODE_ENV: 'production' });
    await seedDemoWorldIfEmpty(server.db, server.database.env);
  });
  afterAll(() => server.stop());

  it('serves the explorer but never offers or performs "Sign in as"', async () => {
    const body = await (await fetch(`${server.url}/graphql`, { headers: html })).text();
    expect(body).toContain('"demoUsers":null');
    expect((await fetch(`${server.url}/explorer/demo-users`)).status).toBe(404);
    const post = await fetch(`${server.url}/explorer/sign-in-as`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@northwind.example' }),
    });
    expect(post.status).toBe(404);
  });
});
