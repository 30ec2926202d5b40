import express, { type Express } from 'express';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Env } from '../../config/env';
import { recordPixelData, validCampaignData } from '../../services/campaign-data.service';
import { DomainError, USER_ERRORS } from '../../shared/errors';
import { authenticate } from '../auth';
import { sendHttpError as fail } from '../../shared/http-errors';

/** Pixel bodies are tiny; anything bigger is refused with 413 before it is parsed. */
export const PIXEL_BODY_LIMIT = '4kb';

/** An absent metric counts as 0; anything else goes to the one check (validCampaignData). */
const metric = (body: Record<string, unknown>, key: string): unknown =>
  body[key] === undefined ? 0 : body[key];

/**
 * POST /pixel/:itemId — campaign data from an ad-server pixel (R7, R12), authenticated with a
 * partner API token (`Authorization: Bearer hov_...`). Body: JSON
 * `{"impressions": n, "clicks": n, "reach": n}` (each optional, 0 to MAX_METRIC_DELIVERY, at
 * least one present). 202 accepted; 400 bad body, or a total that would pass MAX_METRIC_TOTAL
 * (nothing changed); 401 no valid API token; 404 unknown or out of the token's reach; 409 the
 * item is FROZEN (nothing changed); 413 body over PIXEL_BODY_LIMIT. Body-parser errors (400,
 * 413, 415) answer from the app's JSON error handler (src/shared/http-errors.ts).
 * The token reaches items in its scope (src/permissions/visibility.ts) and, R7, items created by
 * an integration of its own account (they keep receiving pixel data after a disconnection).
 */
export function mountPixelRoutes(app: Express, { db, env }: { db: DataSource; env: Env }) {
  const authenticatePixel: express.RequestHandler = async (req, res, next) => {
    let viewer;
    try {
      viewer = await authenticate(
        db,
        env.JWT_SECRET,
        req.header('authorization'),
        env.JWT_MAX_TTL_SECONDS,
      );
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

  app.post(
    '/pixel/:itemId',
    authenticatePixel,
    express.json({ limit: PIXEL_BODY_LIMIT, type: () => true, strict: true }),
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
      try {
        const data = validCampaignData(
          {
            impressions: metric(fields, 'impressions'),
            clicks: metric(fields, 'clicks'),
            reach: metric(fields, 'reach'),
          },
          (key) => [key],
        );
        const item = await recordPixelData(db, res.locals.viewer, String(req.params.itemId), data);
        res.status(202).json({ accepted: true, itemId: item.id });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        // The one table of user errors decides the status; the body keeps the pixel's codes.
        const { http } = USER_ERRORS[error.code];
        const code = error.code === 'INVALID_INPUT' ? 'BAD_REQUEST' : error.code;
        fail(
          res,
          http,
          code,
          error.code === 'NOT_FOUND' ? 'Reporting item not found' : error.message,
        );
      }
    }) as express.RequestHandler,
  );
}
