import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { EnvError, loadEnv } from '../config/env';
import { User } from '../entities';
import { signUserToken } from '../server/auth';
import { connectForTool } from '../database/database';

const USAGE = `usage:
  npm run cli -- create-staff --email E --name N
  npm run cli -- token --email E`;

class CliError extends Error {}

/**
 * Operator commands. Each prints one JSON line {"userId","token"} (a JWT valid 24 hours, or
 * JWT_MAX_TTL_SECONDS if that is shorter: the server refuses a token that outlives it);
 * errors are one line on stderr and exit code 1.
 */
async function run(argv: string[]): Promise<Record<string, string>> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, name: { type: 'string' } },
    strict: true,
  });
  const email = values.email?.trim().toLowerCase();
  if (command !== 'create-staff' && command !== 'token')
    throw new CliError(USAGE.replace(/\n/g, ' '));
  if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw new CliError('--email must be a valid email address');
  if (command === 'create-staff' && !values.name?.trim()) throw new CliError('--name is required');

  const env = loadEnv();
  const ttlSeconds = Math.min(24 * 3600, env.JWT_MAX_TTL_SECONDS);
  const database = await connectForTool(env);
  try {
    const users = database.db.getRepository(User);
    if (command === 'create-staff') {
      await database.db
        .createQueryBuilder()
        .insert()
        .into(User)
        .values({ email, name: values.name!.trim(), isStaff: true, organizationId: null })
        .orIgnore()
        .execute();
      const user = await users.findOneByOrFail({ email });
      if (!user.isStaff) throw new CliError(`${email} exists and is not platform staff`);
      if (!user.active) throw new CliError(`${email} is deactivated`);
      return { userId: user.id, token: await signUserToken(env.JWT_SECRET, user.id, ttlSeconds) };
    }
    const user = await users.findOneBy({ email });
    if (!user) throw new CliError(`No user with email ${email}`);
    if (!user.active) throw new CliError(`${email} is deactivated`);
    return { userId: user.id, token: await signUserToken(env.JWT_SECRET, user.id, ttlSeconds) };
  } finally {
    await database.close();
  }
}

run(process.argv.slice(2)).then(
  (result) => {
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exit(0);
  },
  (error: unknown) => {
    const message =
      error instanceof CliError ||
      error instanceof EnvError ||
      (error instanceof TypeError && 'code' in error)
        ? error.message
        : `error: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(message.split('\n')[0] + '\n');
    process.exit(1);
  },
);
