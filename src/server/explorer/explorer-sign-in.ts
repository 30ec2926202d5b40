import express from 'express';
import type { DataSource } from 'typeorm';
import type { Env } from '../../config/env';
import { query } from '../../database/raw-sql';
import { DEMO_USERS } from '../../seed/demo-world';
import { signUserToken } from '../auth';
import { sendHttpError } from '../../shared/http-errors';

/** A demo token lives an hour (or less, under a shorter JWT_MAX_TTL_SECONDS). */
const DEMO_TOKEN_TTL_SECONDS = 3600;

/**
 * Issue 26: "Sign in as" in the development explorer. Only where the explorer is on and
 * NODE_ENV is not production — EXPLORER=on in production never offers it — and only for the
 * demo world's people (DEMO_USERS, `.example` emails), and only those the database holds and
 * are active: on a database without the demo world the list is empty and nobody signs in.
 *
 * - GET /explorer/demo-users → { users: [{ email, name, role }] }
 * - POST /explorer/sign-in-as, JSON { email } → { token } (404 for anyone else). JSON only, so
 *   another site's page cannot post it without a CORS preflight, which nothing here answers.
 */
export const demoSignInEnabled = (env: Pick<Env, 'NODE_ENV'>, explorerOn: boolean) =>
  explorerOn && env.NODE_ENV !== 'production';

async function demoUsers(db: DataSource) {
  const found = await query<{ id: string; email: string; name: string }>(
    db,
    `SELECT id, email, name FROM users WHERE email = ANY(:emails) AND active`,
    { emails: DEMO_USERS.map((user) => user.email) },
  );
  const byEmail = new Map(found.map((user) => [user.email, user]));
  return DEMO_USERS.filter((demo) => byEmail.has(demo.email)).map((demo) => ({
    ...byEmail.get(demo.email)!,
    role: demo.role,
  }));
}

export function mountDemoSignIn(app: express.Express, { db, env }: { db: DataSource; env: Env }) {
  app.get('/explorer/demo-users', async (_req, res, next) => {
    try {
      const users = await demoUsers(db);
      res.setHeader('Cache-Control', 'no-store');
      res.json({ users: users.map(({ email, name, role }) => ({ email, name, role })) });
    } catch (error) {
      next(error);
    }
  });

  app.post('/explorer/sign-in-as', express.json({ limit: '2kb' }), async (req, res, next) => {
    try {
      if (!req.is('application/json')) {
        sendHttpError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON: { "email": "…" }');
        return;
      }
      const email = typeof req.body?.email === 'string' ? req.body.email.toLowerCase() : '';
      const user = (await demoUsers(db)).find((demo) => demo.email === email);
      if (!user) {
        sendHttpError(res, 404, 'NOT_FOUND', 'Not a demo user of this database');
        return;
      }
      const ttl = Math.min(DEMO_TOKEN_TTL_SECONDS, env.JWT_MAX_TTL_SECONDS);
      res.setHeader('Cache-Control', 'no-store');
      res.json({ token: await signUserToken(env.JWT_SECRET, user.id, ttl) });
    } catch (error) {
      next(error);
    }
  });
}
