import { explorerEnabled } from '../../src/server/explorer/explorer.routes';
import { startTestServer, type TestServer } from '../helpers/test-server';

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
