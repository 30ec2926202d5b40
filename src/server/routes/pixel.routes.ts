import express, { type ErrorRequestHandler, type Express } from 'express';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Env } from '../../config/env';
import { recordPixelData } from '../../services/campaign-data.service';
import { DomainError } from '../../services/errors';
import { authenticate } from '../auth';

/** Pixel bodies are tiny; anything bigger is refused with 413 before it is parsed. */
export const PIXEL_BODY_LIMIT = '4kb';

const fail = (res: express.Response, status: number, code: string, message: string) =>
  res.status(status).json({ error: { code, message } });

/** A metric: absent counts as 0; otherwise a finite number >= 0. */
function metric(body: Record<string, unknown>, key: string): number | string {
  const value = body[key];
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    return `${key} must be a finite number >= 0`;
  }
  return value;
}

/**
 * POST /pixel/:itemId — campaign data from an ad-server pixel (R7, R12), authenticated with a
 * partner API token (`Authorization: Bearer hov_...`). Body: JSON
 * `{"impressions": n, "clicks": n, "reach": n}` (each optional, >= 0, at least one present).
 * 202 accepted; 400 bad body; 401 no valid API token; 404 unknown or out of the token's reach;
 * 409 the item is FROZEN (nothing changed); 413 body over PIXEL_BODY_LIMIT.
 * The token reaches items in its scope (src/permissions/visibility.ts) and, R7, items created by
 * an integration of its own account (they keep receiving pixel data after a disconnection).
 */
export function mountPixelRoutes(app: Express, { db, env }: { db: DataSource; env: Env }) {
  const authenticatePixel: express.RequestHandler = async (req, res, next) => {
    let viewer;
    try {
      viewer = await authenticate(db, env.JWT_SECRET, req.header('authorization'));
    } catch (error) {
      if (error instanceof GraphQLError) {
        fail(res, 401, 'UNAUTHENTICATED', error.message);
        return;
      }
      throw error;
    }
    if (viewer?.kind !== 'token') {
      fail(res, 401, 'UNAUTHENTICATED', 'The pixel endpoint needs a partner API token');
      return;
    }
    res.locals.viewer = viewer;
    next();
  };

  const bodyErrors: ErrorRequestHandler = (
    error: { type?: string; status?: number },
    _req,
    res,
    next,
  ) => {
    if (error?.type === 'entity.too.large') {
      fail(res, 413, 'PAYLOAD_TOO_LARGE', `The body may not exceed ${PIXEL_BODY_LIMIT}`);
    } else if (typeof error?.status === 'number' && error.status >= 400 && error.status < 500) {
      fail(res, 400, 'BAD_REQUEST', 'The body must be a JSON object');
    } else {
      next(error);
    }
  };

  app.post(
    '/pixel/:itemId',
    authenticatePixel,
    express.json({ limit: PIXEL_BODY_LIMIT, type: () => true, strict: true }),
    bodyErrors,
    (async (req, res) => {
      const body: unknown = req.body;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        fail(res, 400, 'BAD_REQUEST', 'The body must be a JSON object');
        return;
      }
      const fields = body as Record<string, unknown>;
      if (!['impressions', 'clicks', 'reach'].some((key) => fields[key] !== undefined)) {
        fail(res, 400, 'BAD_REQUEST', 'Send at least one of impressions, clicks, reach');
        return;
      }
      const impressions = metric(fields, 'impressions');
      const clicks = metric(fields, 'clicks');
      const reach = metric(fields, 'reach');
      for (const value of [impressions, clicks, reach]) {
        if (typeof value === 'string') {
          fail(res, 400, 'BAD_REQUEST', value);
          return;
        }
      }
      try {
        const item = await recordPixelData(db, res.locals.viewer, String(req.params.itemId), {
          impressions: impressions as number,
          clicks: clicks as number,
          reach: reach as number,
        });
        res.status(202).json({ accepted: true, itemId: item.id });
      } catch (error) {
        if (error instanceof DomainError && error.code === 'ITEM_FROZEN') {
          fail(res, 409, 'ITEM_FROZEN', error.message);
        } else if (error instanceof DomainError && error.code === 'NOT_FOUND') {
          fail(res, 404, 'NOT_FOUND', 'Reporting item not found');
        } else {
          throw error;
        }
      }
    }) as express.RequestHandler,
  );
}
