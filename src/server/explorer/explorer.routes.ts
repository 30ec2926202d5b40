import type express from 'express';
import type { DataSource } from 'typeorm';
import type { Env } from '../../config/env';
import { explorerAssets } from './explorer-assets';
import { demoSignInEnabled, mountDemoSignIn } from './explorer-sign-in';
import { explorerTabs, PLACEHOLDER_HEADERS } from './explorer-tabs';

export const EXPLORER_ASSETS_PATH = '/explorer/assets';

/** Only this origin: every file the page needs is served by Handover (fonts/icons are data: URIs in GraphiQL's CSS). */
export const EXPLORER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** EXPLORER=on|off overrides; auto (the default) is on unless NODE_ENV=production. */
export const explorerEnabled = (env: Pick<Env, 'EXPLORER' | 'NODE_ENV'>) =>
  env.EXPLORER === 'on' || (env.EXPLORER === 'auto' && env.NODE_ENV !== 'production');

/** JSON inside <script type="application/json">: never let the text close the element. */
const jsonForHtml = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

export function explorerHtml(config: unknown): string {
  const asset = (name: string) => `${EXPLORER_ASSETS_PATH}/${name}`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Handover API explorer</title>
    <link rel="stylesheet" href="${asset('graphiql.min.css')}" />
    <link rel="stylesheet" href="${asset('explorer.css')}" />
  </head>
  <body>
    <div id="graphiql">Loading the Handover API explorer…</div>
    <script type="application/json" id="explorer-config">${jsonForHtml(config)}</script>
    <script src="${asset('react.production.min.js')}"></script>
    <script src="${asset('react-dom.production.min.js')}"></script>
    <script src="${asset('graphiql.min.js')}"></script>
    <script src="${asset('explorer.js')}"></script>
  </body>
</html>
`;
}

/**
 * The offline API explorer: `GET /graphql` from a browser (Accept: text/html) serves GraphiQL
 * with the example operations as tabs; its scripts and styles come from installed npm packages
 * under /explorer/assets; outside production, "Sign in as" a demo user (explorer-sign-in.ts)
 * fills the Authorization header. Mounted before Apollo: every other request to /graphql (POST, or GET
 * asking for JSON) goes on to Apollo, whose CSRF prevention stays on.
 */
export function mountExplorer(app: express.Express, deps: { env: Env; db: DataSource }): void {
  if (!explorerEnabled(deps.env)) return;
  const assets = explorerAssets();
  const signIn = demoSignInEnabled(deps.env, true);
  if (signIn) mountDemoSignIn(app, deps);
  const html = explorerHtml({
    endpoint: '/graphql',
    headers: PLACEHOLDER_HEADERS,
    tabs: explorerTabs(),
    // Issue 26: outside production the page asks which demo users it may offer.
    demoUsers: signIn ? '/explorer/demo-users' : null,
    signIn: signIn ? '/explorer/sign-in-as' : null,
  });

  app.get(`${EXPLORER_ASSETS_PATH}/:name`, (req, res, next) => {
    const asset = Object.hasOwn(assets, req.params.name) ? assets[req.params.name] : undefined;
    if (!asset) return next();
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type(asset.contentType);
    if (asset.text !== undefined) {
      res.send(asset.text);
      return;
    }
    res.sendFile(asset.file!, (error) => {
      if (error && !res.headersSent) next(error);
    });
  });

  app.get('/graphql', (req, res, next) => {
    const wantsHtml = req.accepts(['application/json', 'text/html']) === 'text/html';
    if (!wantsHtml || req.query.query !== undefined) return next();
    res.setHeader('Content-Security-Policy', EXPLORER_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(html);
  });
}
