import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { expireDueConnections } from '../services/connection-expiry';

/** Runs `expireDueConnections` every `intervalMs` until stopped (the relay worker's schedule). */
export function startConnectionExpiry(db: DataSource, log: Logger, intervalMs = 60_000) {
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = expireDueConnections(db).then(
      (count) => {
        if (count > 0) log.info({ count }, 'connection requests expired (R26)');
      },
      (error: unknown) => log.warn({ err: error }, 'expiring connection requests failed'),
    );
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
