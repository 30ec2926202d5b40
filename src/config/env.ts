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

const explorerMode = makeValidator<'on' | 'off' | 'auto'>((value) => {
  if (value === 'on' || value === 'off' || value === 'auto') return value;
  throw new Error('must be on, off or auto');
});

const spec = {
  NODE_ENV: str({ choices: ['development', 'production', 'test'], default: 'development' }),
  HOST: str({ default: '127.0.0.1' }),
  PORT: tcpPort({ default: 4000, desc: '0 picks a free port' }),
  DATABASE_URL: postgresUrl({ default: undefined }),
  DATA_DIR: str({ default: '.data', desc: 'Where the embedded database and mail files live' }),
  JWT_SECRET: str({ default: undefined }),
  SMTP_URL: url({ default: undefined }),
  MAIL_FROM: str({ default: 'Handover <no-reply@handover.local>' }),
  PUBLIC_URL: url({ default: undefined, desc: 'Base URL used in export links' }),
  LOG_LEVEL: str({
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
  }),
  EXPLORER: explorerMode({ default: 'auto' }),
  SEED_DEMO: bool({ default: true, desc: 'Seed demo data into an empty embedded database' }),
  DB_POOL_SIZE: num({ default: 10 }),
} as const;

export type Env = CleanedEnv<typeof spec> & { JWT_SECRET: string; usingDevSecret: boolean };

const DEV_SECRET = 'handover-development-secret-do-not-use-in-production';

export class EnvError extends Error {}

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
  return {
    ...env,
    JWT_SECRET: env.JWT_SECRET ?? DEV_SECRET,
    usingDevSecret: env.JWT_SECRET === undefined,
  };
}
