import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Role, type User } from '../../src/entities';
import { seedDemoWorldIfEmpty } from '../../src/seed/demo-world';
import { factories } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The offline explorer in a real browser: Debian's Chromium (package `chromium`), driven by
 * playwright-core. Opens GET /graphql, pastes a token into the headers editor, runs
 * `{ viewer { id } }` and reads the result pane — with no request leaving 127.0.0.1.
 */
/** Page functions below run in the browser; this project compiles without the DOM lib. */
declare const document: any;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
const SCREENSHOT = path.resolve(__dirname, '../../test-results/explorer.png');

if (!haveChromium) {
  console.warn(
    `Skipping the explorer browser test: no Chromium at ${CHROMIUM}. ` +
      'Install it with `apt-get update && apt-get install -y chromium` ' +
      '(or set CHROMIUM_PATH to a Chromium binary).',
  );
}
const describeWithChromium = haveChromium ? describe : describe.skip;

describeWithChromium('API explorer in headless Chromium', () => {
  let server: TestServer;
  let user: User;
  let context: BrowserContext;
  let profile: string;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    const f = factories(server.db);
    user = await f.member(await f.agency(), Role.ADMIN);
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-e2e-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await context?.close();
    await server?.stop();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  /** The CodeMirror 5 editor under `selector` whose text matches `contains` (GraphiQL 3). */
  const editorValue = (page: Page, selector: string) =>
    page.evaluate(
      (sel) =>
        Array.from(document.querySelectorAll(`${sel} .CodeMirror`))
          .map((el: any) => el.CodeMirror?.getValue() as string)
          .join('\n'),
      selector,
    );

  it('runs { viewer { id } } with a pasted token, offline', async () => {
    const page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));

    const response = await page.goto(`${server.url}/graphql`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");

    // GraphiQL rendered, with the example operations as tabs and schema docs loaded.
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror');
    await page.waitForSelector('.graphiql-tab', { state: 'attached' });
    const tabTitles = await page.locator('.graphiql-tab').allInnerTexts();
    expect(tabTitles.join(' ')).toContain('Viewer');
    expect(tabTitles.join(' ')).toContain('ReportsPage');

    // The headers editor is open with the placeholder; paste the token into it.
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('.graphiql-editor-tool .CodeMirror')).some((el: any) =>
        String(el.CodeMirror?.getValue()).includes('Authorization'),
      ),
    );
    const token = await server.tokenFor(user);
    await page.evaluate((bearer) => {
      const headers = Array.from(document.querySelectorAll('.graphiql-editor-tool .CodeMirror'))
        .map((el: any) => el.CodeMirror)
        .find((cm) => String(cm?.getValue()).includes('Authorization'));
      headers.setValue(JSON.stringify({ Authorization: `Bearer ${bearer}` }, null, 2));
    }, token);

    await page.evaluate(() => {
      const query = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror;
      // Named like the tab's example, so GraphiQL's remembered operationName still matches.
      query.setValue('query Viewer { viewer { id } }');
    });
    await page.click('.graphiql-execute-button');

    await page.waitForFunction(
      (id) =>
        Array.from(document.querySelectorAll('.graphiql-response .CodeMirror')).some((el: any) =>
          String(el.CodeMirror?.getValue()).includes(id),
        ),
      user.id,
      { timeout: 30000 },
    );
    const result = JSON.parse(await editorValue(page, '.graphiql-response'));
    expect(result).toMatchObject({ data: { viewer: { id: user.id } } });
    // Every answer reports its query cost (issue 14); no errors.
    expect(result.errors).toBeUndefined();
    expect(result.extensions.cost.requestedQueryCost).toEqual(expect.any(Number));

    // Schema docs: the documentation explorer lists the Query type's fields.
    await page.click('[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector('.graphiql-doc-explorer', { timeout: 30000 });

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    const origin = new URL(server.url).origin;
    const offsite = requests.filter(
      (url) => !url.startsWith(`${origin}/`) && !/^(data|blob|about):/.test(url),
    );
    expect(offsite).toEqual([]);
    expect(
      requests.every(
        (url) => /^(data|blob|about):/.test(url) || new URL(url).hostname === '127.0.0.1',
      ),
    ).toBe(true);
    // Every script, style and font loaded under the page's Content-Security-Policy.
    expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
    await page.close();
  });

  it('signs in as a demo user from the bar, and the Viewer tab runs as them (issue 26)', async () => {
    // A database of its own holding the demo world, as `npm start` seeds it.
    const demo = await startTestServer();
    try {
      expect(await seedDemoWorldIfEmpty(demo.db, demo.database.env)).not.toBeNull();
      const page = await context.newPage();
      page.on('pageerror', (error) => problems.push(String(error)));
      expect((await page.goto(`${demo.url}/graphql`))?.status()).toBe(200);
      await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror');
      const names = await page.locator('.explorer-sign-in-user').allInnerTexts();
      expect(names).toHaveLength(7);
      expect(names).toContain('Rita Regular — Northwind Agency REGULAR');

      const rita = page.locator('.explorer-sign-in-user[data-email="regular@northwind.example"]');
      await rita.click();
      await page.waitForFunction(() =>
        Array.from(document.querySelectorAll('.graphiql-editor-tool .CodeMirror')).some((el: any) =>
          /"Authorization": "Bearer ey/.test(String(el.CodeMirror?.getValue())),
        ),
      );
      expect(await rita.getAttribute('aria-pressed')).toBe('true');
      // The first tab is the Viewer example, now with Rita's token.
      expect(await editorValue(page, '.graphiql-query-editor')).toContain('query Viewer');
      await page.click('.graphiql-execute-button');
      await page.waitForFunction(
        () =>
          Array.from(document.querySelectorAll('.graphiql-response .CodeMirror')).some((el: any) =>
            String(el.CodeMirror?.getValue()).includes('regular@northwind.example'),
          ),
        undefined,
        { timeout: 30000 },
      );
      const result = JSON.parse(await editorValue(page, '.graphiql-response'));
      expect(result.errors).toBeUndefined();
      expect(result.data.viewer).toMatchObject({
        email: 'regular@northwind.example',
        isStaff: false,
      });
      await page.screenshot({ path: SCREENSHOT.replace('.png', '-sign-in.png'), fullPage: true });
      expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
      await page.close();
    } finally {
      await demo.stop();
    }
  });
});
