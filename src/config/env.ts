import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bool, cleanEnv, makeValidator, num, str, url, type CleanedEnv } from 'envalid';

/** Every environment variable Handover reads, validated once. Documented in README.md. */
const postgresUrl = makeValidator<string>((value) => {
  if (!/^postgres(ql)?:\/\//.test(value)) throw new Error('must be a postgres:// URL');
  return value;
});

const tcpPort = makeValidator<number>((value) => {
  const parsed = Number(value);
  if (!/^\d+$/.test(String(value)) || parsed > 65535)
    throw new Error('must be a port number (0-65535)');
  return parsed;
});

const onOffAuto = makeValidator<'on' | 'off' | 'auto'>((value) => {
  if (value === 'on' || value === 'off' || value === 'auto') return value;
  throw new Error('must be on, off or auto');
});

/** Comma-separated postgres:// URLs (issue 27: hot standbys for reads); empty entries ignored. */
const postgresUrlList = makeValidator<string[]>((value) => {
  const urls = String(value)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of urls) {
    if (!/^postgres(ql)?:\/\//.test(entry))
      throw new Error('must be postgres:// URLs, comma-separated');
  }
  return urls;
});

const redisUrl = makeValidator<string>((value) => {
  if (!/^rediss?:\/\//.test(value)) throw new Error('must be a redis:// or rediss:// URL');
  return value;
});

const positiveInt = makeValidator<number>((value) => {
  const parsed = Number(value);
  if (!/^\d+$/.test(String(value)) || parsed < 1) throw new Error('must be a whole number >= 1');
  return parsed;
});

const spec = {
  NODE_ENV: str({ choices: ['development', 'production', 'test'], default: 'development' }),
  HOST: str({ default: '127.0.0.1' }),
  PORT: tcpPort({ default: 4000, desc: '0 picks a free port' }),
  DATABASE_URL: postgresUrl({ default: undefined }),
  DATABASE_REPLICA_URLS: postgresUrlList({
    default: [],
    desc: 'Hot standbys of DATABASE_URL that may serve reads (docs/deploying.md)',
  }),
  DATA_DIR: str({ default: '.data', desc: 'Where the embedded database and mail files live' }),
  JWT_SECRET: str({ default: undefined }),
  JWT_MAX_TTL_SECONDS: positiveInt({
    default: 7 * 24 * 3600,
    desc: 'User JWTs whose exp lies further ahead are refused',
  }),
  SMTP_URL: url({ default: undefined }),
  MAIL_FROM: str({ default: 'Handover <no-reply@handover.local>' }),
  PUBLIC_URL: url({ default: undefined, desc: 'Base URL used in export links' }),
  LOG_LEVEL: str({
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
  }),
  EXPLORER: onOffAuto({ default: 'auto' }),
  TRUSTED_DOCUMENTS: str({
    choices: ['off', 'allow', 'require'],
    default: 'allow',
    desc: 'Requests by documentId: off, allow (default), or require them of signed-in users',
  }),
  SEED_DEMO: bool({ default: true, desc: 'Seed demo data into an empty embedded database' }),
  DB_POOL_SIZE: num({ default: 10 }),
  DB_PREPARED_STATEMENTS: bool({
    default: true,
    desc: 'Read statements as named prepared statements (off behind a pooler that drops them)',
  }),
  REDIS_URL: redisUrl({ default: undefined, desc: 'Shared rate-limit budgets of all replicas' }),
  RATE_LIMIT: onOffAuto({ default: 'auto', desc: 'auto = on unless NODE_ENV=test' }),
  RATE_LIMIT_USER_POINTS: positiveInt({ default: 200000 }),
  RATE_LIMIT_TOKEN_POINTS: positiveInt({ default: 100000 }),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt({ default: 60 }),
  MAIL_RELAY_IN_SERVER: bool({ default: true, desc: 'The API process relays mail too' }),
  MAIL_LEASE_SECONDS: positiveInt({ default: 120, desc: 'Outbox claim lease of a relay' }),
  SCHEDULER_INTERVAL_MS: positiveInt({
    default: 30_000,
    desc: 'How often the disconnection scheduler looks for due runs (R31)',
  }),
  SCHEDULER_LEASE_SECONDS: positiveInt({
    default: 300,
    desc: 'A claimed scheduled disconnection is not claimed again for this long (R31)',
  }),
  METRICS_TOKEN: str({ default: undefined, desc: 'Bearer token /metrics requires when set' }),
  SHUTDOWN_DELAY_MS: num({ default: 0, desc: 'Not ready, still serving, before draining' }),
} as const;

export type Env = CleanedEnv<typeof spec> & {
  JWT_SECRET: string;
  /** Where the secret was kept when JWT_SECRET is unset (outside production); else null. */
  jwtSecretFile: string | null;
};

export class EnvError extends Error {}

/** The generated secret's file under DATA_DIR, shared by `npm start` and the CLI. */
export const jwtSecretPath = (dataDir: string) => path.join(dataDir, 'jwt-secret');

const isCode = (error: unknown, code: string) => (error as { code?: unknown })?.code === code;

const asEnvError = (error: unknown, file: string) =>
  error instanceof EnvError
    ? error
    : new EnvError(
        `Invalid environment: JWT_SECRET is not set and ${file} cannot be used (${
          error instanceof Error ? error.message : String(error)
        })`,
      );

/**
 * Without JWT_SECRET outside production: a random secret generated on the first start and kept
 * in DATA_DIR/jwt-secret (mode 0600), so tokens survive restarts and the CLI's tokens work
 * against `npm start`. No secret is ever built into the code. The file is written under a
 * temporary name and hard-linked into place: a server and a CLI starting at the same moment
 * cannot both win or read a half-written file.
 */
function keptJwtSecret(dataDir: string): { secret: string; file: string } {
  const file = jwtSecretPath(dataDir);
  const read = () => {
    const secret = fs.readFileSync(file, 'utf8').trim();
    if (secret.length < 16) {
      throw new EnvError(
        `Invalid environment: ${file} holds no usable JWT secret (delete it to generate a new one)`,
      );
    }
    return { secret, file };
  };
  try {
    return read();
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw asEnvError(error, file);
  }
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(temporary, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
    try {
      fs.linkSync(temporary, file);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
    }
    return read();
  } catch (error) {
    throw asEnvError(error, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/** Reads and validates the environment; throws EnvError with a one-line reason. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const problems: string[] = [];
  // An empty variable (`DATABASE_URL=`) means "not set", as shells and .env files write it.
  const given = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const env = cleanEnv(given, spec, {
    reporter: ({ errors }) => {
      for (const [name, error] of Object.entries(errors)) {
        problems.push(`${name}: ${error.message}`);
      }
    },
  });
  if (problems.length > 0) throw new EnvError(`Invalid environment: ${problems.join('; ')}`);
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
    throw new EnvError('Invalid environment: JWT_SECRET is required when NODE_ENV=production');
  }
  if (env.JWT_SECRET !== undefined && env.JWT_SECRET.length < 16) {
    throw new EnvError('Invalid environment: JWT_SECRET must be at least 16 characters');
  }
  if (env.JWT_SECRET !== undefined) {
    return { ...env, JWT_SECRET: env.JWT_SECRET, jwtSecretFile: null };
  }
  const kept = keptJwtSecret(env.DATA_DIR);
  return { ...env, JWT_SECRET: kept.secret, jwtSecretFile: kept.file };
}
