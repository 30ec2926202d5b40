import type { Express } from 'express';
import type { DataSource } from 'typeorm';
import type { Env } from '../../config/env';
import { mountAccessReviewRoutes } from './access-review.routes';
import { mountExportRoutes } from './export.routes';
import { mountPixelRoutes } from './pixel.routes';

/**
 * Issue 5's HTTP routes: signed export downloads (R17), the access review's CSV (R29) and the
 * pixel endpoint (R7, R12).
 */
export function mountDataRoutes(app: Express, deps: { db: DataSource; env: Env }) {
  mountExportRoutes(app, deps);
  mountAccessReviewRoutes(app, deps);
  mountPixelRoutes(app, deps);
}
