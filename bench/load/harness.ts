import 'reflect-metadata';
import autocannon from 'autocannon';
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { ACTS_FOR, REACHES } from '../../src/permissions/authority';
import { activeReportOpenTo } from '../../src/permissions/visibility';
import { signUserToken } from '../../src/server/auth';
import {
  flag,
  JWT_SECRET,
  option,
  percentile,
  withClient,
  worldSizeFromFlags,
  writeMarkdown,
} from '../shared';
import { emailOf } from '../world';

/**
 * What both comparisons of `npm run load` share (bench/load/README.md): the world's users, the
 * seeded mix of the frontend's operations, the server processes, CPU accounting from /proc, and
 * autocannon runs measured in interleaved phases. `load.ts` compares one process with replicas
 * behind a proxy (issue 14); `standby.ts` the primary alone with the primary and a streaming
 * standby (issue 27).
 */

export const ROOT = path.join(__dirname, '..', '..', '..');
export const smoke = flag('smoke');
export const size = worldSizeFromFlags(
  smoke
    ? {
        agencies: 20,
        clients: 200,
        premiums: 4,
        reports: 20_000,
        reportItems: 60_000,
        bigClients: 20,
        bigReportsPerClient: 50,
        bigArchivedClients: 2,
      }
    : {
        agencies: 200,
        clients: 2000,
        premiums: 20,
        reports: 200_000,
        reportItems: 600_000,
        bigClients: 200,
        bigReportsPerClient: 110,
        bigArchivedClients: 5,
      },
);
export const seconds = option('seconds', smoke ? 5 : 60);
export const warmupSeconds = option('warmup', smoke ? 2 : 10);
export const connections = option('connections', 50);
export const userCount = option('users', smoke ? 30 : 200);
export const phases = option('phases', smoke ? 1 : 6);
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Where a run writes: the committed results, or a scratch file for `--smoke`. */
export const resultFile = smoke
  ? path.join(ROOT, 'test-results', 'load-smoke.md')
  : path.join(ROOT, 'bench', 'load', 'results.md');

// The frontend's own operations, as the examples ship them.
const operation = (name: string) =>
  readFileSync(path.join(ROOT, 'examples', 'operations', `${name}.graphql`), 'utf8');
const REPORTS_PAGE = operation('ReportsPage');
const REPORT_DETAIL = operation('ReportDetail');
const DISCONNECT_PREVIEW = operation('DisconnectClientPreview');
const CREATE_REPORT = `mutation CreateReport($input: CreateReportInput!) {
  createReport(input: $input) { report { id name createdAt } userErrors { code message } }
}`;
const UPDATE_REPORT = `mutation UpdateReport($input: UpdateReportInput!) {
  updateReport(input: $input) { report { id name } userErrors { code message } }
}`;
/** What the world's generator never writes: rows with it are left by an earlier load run. */
export const WRITTEN_PREFIX = 'Load report ';

export type Kind = 'reports page' | 'report detail' | 'disconnect preview' | 'write';
export const KINDS: Kind[] = ['reports page', 'report detail', 'disconnect preview', 'write'];
const MIX: [Kind, number][] = [
  ['reports page', 0.7],
  ['report detail', 0.2],
  ['disconnect preview', 0.05],
  ['write', 0.05],
];

export interface LoadUser {
  index: number;
  email: string;
  role: string;
  token: string;
  /** The agency the user is a member of: where their writes go. */
  ownAccount: string;
  /** ACTIVE reports open to the user, sampled up front. */
  reports: string[];
  /** ACTIVE clients the user acts for as a manager (R9): what their preview dialog opens on. */
  managed: string[];
  /** Reports this run created as the user and has not renamed yet. */
  created: string[];
  writes: number;
}

// ---- the world's users ---------------------------------------------------------------------

/**
 * `count` users spread over the agencies and, agency by agency, over the three roles, so the
 * load covers small and big tenants and every role's visibility.
 */
export async function loadUsers(url: string, count: number): Promise<LoadUser[]> {
  const emails = Array.from({ length: count }, (_, i) =>
    emailOf(i % size.agencies, ((i + Math.floor(i / size.agencies)) % 3) as 0 | 1 | 2),
  );
  return withClient(url, async (sql) => {
    const users: LoadUser[] = [];
    for (const [index, email] of emails.entries()) {
      const { rows } = await sql.query<{ id: string; role: string; account_id: string }>(
        `SELECT u.id, m.role, m.account_id FROM users u JOIN memberships m ON m.user_id = u.id
          WHERE u.email = $1`,
        [email],
      );
      if (!rows[0]) throw new Error(`no world user ${email} (fewer agencies than --users / 3?)`);
      const { id, role, account_id } = rows[0];
      // A stable sample, not the newest: detail views land on any report the user can open.
      const reports = await sql.query<{ id: string }>(
        `SELECT DISTINCT r.id, md5(r.id::text || acl.user_id::text) AS k
           FROM reports r JOIN ${REACHES} acl ON acl.account_id = r.account_id
          WHERE acl.user_id = $1 AND ${activeReportOpenTo('r', 'acl')}
          ORDER BY k LIMIT 20`,
        [id],
      );
      const managed = await sql.query<{ id: string }>(
        `SELECT DISTINCT af.account_id AS id, md5(af.account_id::text || af.user_id::text) AS k
           FROM ${ACTS_FOR} af JOIN accounts c ON c.id = af.account_id
          WHERE af.user_id = $1 AND af.role IN ('ADMIN', 'ACCOUNT_MANAGER')
            AND c.type = 'CLIENT' AND c.status = 'ACTIVE'
          ORDER BY k LIMIT 10`,
        [id],
      );
      users.push({
        index,
        email,
        role,
        token: await signUserToken(JWT_SECRET, id),
        ownAccount: account_id,
        reports: reports.rows.map((r) => r.id),
        managed: managed.rows.map((r) => r.id),
        created: [],
        writes: 0,
      });
    }
    return users;
  });
}

// ---- the mix -------------------------------------------------------------------------------

/** A seeded generator: every configuration replays the same sequence of users and operations. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Planned {
  kind: Kind;
  user: LoadUser;
  body: string;
  /** Writes: what to do with the answer (remember a created report). */
  created?: boolean;
}

export function mixOf(users: LoadUser[]) {
  const random = mulberry32(14);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  // Only managers have the trash-bin button behind the preview; REGULAR users never send it.
  const managers = users.filter((u) => u.managed.length > 0);
  const readers = users.filter((u) => u.reports.length > 0);
  const body = (query: string, variables: Record<string, unknown>) =>
    JSON.stringify({ query, variables });
  return (): Planned => {
    const r = random();
    let at = 0;
    const kind = MIX.find(([, share]) => (at += share) > r)?.[0] ?? 'reports page';
    if (kind === 'report detail') {
      const user = pick(readers);
      return { kind, user, body: body(REPORT_DETAIL, { id: pick(user.reports) }) };
    }
    if (kind === 'disconnect preview') {
      const user = pick(managers);
      return {
        kind,
        user,
        body: body(DISCONNECT_PREVIEW, { clientAccountId: pick(user.managed) }),
      };
    }
    const user = pick(users);
    if (kind === 'write') {
      const renamed = user.created.shift();
      const name = `${WRITTEN_PREFIX}${user.index}-${++user.writes}`;
      return renamed
        ? { kind, user, body: body(UPDATE_REPORT, { input: { reportId: renamed, name } }) }
        : {
            kind,
            user,
            created: true,
            body: body(CREATE_REPORT, { input: { accountId: user.ownAccount, name } }),
          };
    }
    // One page in ten is the "Show archived reports" checkbox.
    return { kind, user, body: body(REPORTS_PAGE, random() < 0.1 ? { archived: true } : {}) };
  };
}

// ---- processes -----------------------------------------------------------------------------

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

export const children: ChildProcess[] = [];
const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

async function waitReady(child: ChildProcess, url: string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `the server on ${url} exited with ${child.exitCode} (LOAD_LOG_LEVEL=info shows why)`,
      );
    }
    const status = await fetch(`${url}/health/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server on ${url} was not ready within 60 s`);
}

/**
 * One API replica as production runs it: `main.js` in its own process. It is the main.js the same
 * tsc run compiled into dist-bench/, so the load never runs a stale dist/.
 */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(ROOT, 'dist-bench', 'src', 'main.js')], {
    env: {
      ...process.env,
      ...SERVER_ENV,
      PORT: String(port),
      PUBLIC_URL: url,
      DATABASE_URL: databaseUrl,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  await waitReady(child, url);
  return { child, url };
}

const SERVER_ENV = {
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  JWT_SECRET,
  LOG_LEVEL: process.env.LOAD_LOG_LEVEL ?? 'silent',
  SEED_DEMO: 'false',
  DATA_DIR: path.join(os.tmpdir(), 'handover-load'),
  DB_POOL_SIZE: '10',
  REDIS_URL: redisUrl,
  // Limits stay on, so every request pays for its Redis round trip as in production, but with
  // budgets no load run can spend: a 429 would measure the budget, not the servers.
  RATE_LIMIT: 'on',
  RATE_LIMIT_USER_POINTS: '1000000000',
  RATE_LIMIT_TOKEN_POINTS: '1000000000',
  // Deployments deliver mail from workers (docs/deploying.md); previews send none anyway.
  MAIL_RELAY_IN_SERVER: 'false',
};

export async function startProxy(targets: string[]) {
  const port = await freePort();
  const child = fork(path.join(__dirname, 'proxy.js'), [String(port), ...targets], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the proxy exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

export async function stop(child: ChildProcess) {
  child.kill('SIGTERM');
  await exited(child);
}

// ---- CPU accounting ------------------------------------------------------------------------

const TICKS_PER_SECOND = 100;
/** CPU seconds a process has used so far (user + system), from /proc. */
export const cpuOf = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
};
export const machineCpu = () =>
  os.cpus().reduce(
    (sum, cpu) => {
      const { user, nice, sys, idle, irq } = cpu.times;
      return { busy: sum.busy + (user + nice + sys + irq) / 1000, idle: sum.idle + idle / 1000 };
    },
    { busy: 0, idle: 0 },
  );

/**
 * CPU seconds used so far by one measured part (a process, a group of them, a PostgreSQL
 * server), as each comparison defines its parts; the machine's busy and idle seconds and the
 * load generator's own are always taken.
 */
export interface CpuSample<Parts> {
  machine: { busy: number; idle: number };
  load: number;
  parts: Parts;
}
export function cpuSample<Parts>(parts: Parts): CpuSample<Parts> {
  const own = process.cpuUsage();
  return { machine: machineCpu(), load: (own.user + own.system) / 1e6, parts };
}

/**
 * CPU seconds of a whole PostgreSQL server: its postmaster, the children alive now, and (in the
 * postmaster's cutime/cstime) every child it has reaped — so a backend that a pool closed between
 * two samples still counts. Only for a server the run started itself: it counts every database.
 */
export const postgresServerCpu = (dataDirectory: string) => {
  const postmaster = Number(
    readFileSync(path.join(dataDirectory, 'postmaster.pid'), 'utf8').split('\n')[0],
  );
  const stat = (pid: number) => {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return text.slice(text.lastIndexOf(')') + 2).split(' ');
    } catch {
      return undefined;
    }
  };
  const own = stat(postmaster);
  if (!own) return 0;
  let total =
    (Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])) / TICKS_PER_SECOND;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = stat(Number(entry));
    if (fields && Number(fields[1]) === postmaster) total += cpuOf(Number(entry));
  }
  return total;
};

// ---- configurations, measured in interleaved phases ----------------------------------------

export interface Configuration {
  name: string;
  target: string;
  /** This configuration's replay of the mix. */
  next: () => Planned;
  seconds: number;
  latencies: number[];
  byKind: Map<Kind, { latencies: number[]; errors: number }>;
  codes: Map<string, number>;
  errors: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  /**
   * CPU seconds over the measured phases: the machine's `busy` and `total`, the load
   * generator's `load`, and each part the comparison samples.
   */
  cpu: Record<string, number>;
  /** Other counters a comparison adds up over the measured phases (reads by database). */
  counts: Record<string, number>;
}

export const configuration = (name: string, target: string, users: LoadUser[]): Configuration => ({
  name,
  target,
  next: mixOf(users),
  seconds: 0,
  latencies: [],
  byKind: new Map(KINDS.map((k) => [k, { latencies: [], errors: 0 }])),
  codes: new Map(),
  errors: 0,
  non2xx: 0,
  socketErrors: 0,
  timeouts: 0,
  cpu: { busy: 0, total: 0, load: 0 },
  counts: {},
});

/** One autocannon run against the configuration; its answers count only when `into` is given. */
export async function drive(config: Configuration, duration: number, into: Configuration | null) {
  const failed = (kind: Kind, code: string) => {
    if (!into) return;
    into.errors++;
    into.byKind.get(kind)!.errors++;
    into.codes.set(code, (into.codes.get(code) ?? 0) + 1);
  };
  type Context = { planned?: Planned; started?: number };
  const result = await autocannon({
    url: config.target,
    connections,
    duration,
    requests: [
      {
        setupRequest: (request, context: Context) => {
          const planned = config.next();
          context.planned = planned;
          context.started = performance.now();
          return {
            ...request,
            method: 'POST',
            path: '/graphql',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${planned.user.token}`,
            },
            body: planned.body,
          };
        },
        onResponse: (status, body, context: Context) => {
          const { planned, started } = context;
          if (!planned || started === undefined) return;
          const elapsed = performance.now() - started;
          into?.latencies.push(elapsed);
          into?.byKind.get(planned.kind)!.latencies.push(elapsed);
          let parsed: { data?: Record<string, any> | null; errors?: any[] } | undefined;
          try {
            parsed = JSON.parse(body);
          } catch {
            failed(planned.kind, `HTTP ${status}, not JSON`);
            return;
          }
          if (parsed?.errors?.length) {
            failed(planned.kind, String(parsed.errors[0]?.extensions?.code ?? `HTTP ${status}`));
            return;
          }
          if (status < 200 || status >= 300) {
            failed(planned.kind, `HTTP ${status}`);
            return;
          }
          const data = parsed?.data ?? {};
          const payload = data.createReport ?? data.updateReport;
          if (payload?.userErrors?.length) {
            failed(planned.kind, `userErrors ${payload.userErrors[0].code}`);
          } else if (planned.kind === 'report detail' && !data.report) {
            failed(planned.kind, 'report not found');
          } else if (planned.created && payload?.report) {
            planned.user.created.push(payload.report.id);
          }
        },
      },
    ],
  });
  if (into) {
    into.non2xx += result.non2xx;
    into.socketErrors += result.errors;
    into.timeouts += result.timeouts;
  }
}

const add = (into: Record<string, number>, key: string, amount: number) => {
  into[key] = (into[key] ?? 0) + amount;
};

/**
 * Every configuration gets `seconds` in `phases` slices, the order rotating each round: the
 * machine is shared, and other work that comes and goes then hits every configuration alike
 * instead of whichever ran at that moment. Around each slice, `sample` is read and `measure`
 * turns two samples into the CPU seconds per part (and any counts) the slice adds.
 */
export async function measureInterleaved<Sample extends CpuSample<unknown>>(
  configs: Configuration[],
  sample: () => Promise<Sample>,
  measure: (
    before: Sample,
    after: Sample,
    config: Configuration,
  ) => { cpu: Record<string, number>; counts?: Record<string, number> },
) {
  for (const config of configs) {
    console.log(`${config.name}: warm-up ${warmupSeconds} s`);
    if (warmupSeconds > 0) await drive(config, warmupSeconds, null);
  }
  const slice = Math.max(1, Math.round(seconds / phases));
  for (let round = 0; round < phases; round++) {
    for (let i = 0; i < configs.length; i++) {
      const config = configs[(i + round) % configs.length];
      const before = await sample();
      const started = performance.now();
      await drive(config, slice, config);
      config.seconds += (performance.now() - started) / 1000;
      const after = await sample();
      const busy = after.machine.busy - before.machine.busy;
      add(config.cpu, 'busy', busy);
      add(config.cpu, 'total', busy + after.machine.idle - before.machine.idle);
      add(config.cpu, 'load', after.load - before.load);
      const { cpu, counts = {} } = measure(before, after, config);
      for (const [part, value] of Object.entries(cpu)) add(config.cpu, part, value);
      for (const [key, value] of Object.entries(counts)) add(config.counts, key, value);
      console.log(
        `  round ${round + 1}/${phases}, ${config.name}: ${config.latencies.length} answers so far, ${config.errors} errors`,
      );
    }
  }
}

/** One of each kind before timing anything: a mix that fails here would only measure errors. */
export async function answerEachKindOnce(url: string, users: LoadUser[]) {
  for (let next = mixOf(users), seen = new Set<Kind>(); seen.size < KINDS.length;) {
    const planned = next();
    if (seen.has(planned.kind)) continue;
    seen.add(planned.kind);
    const answer = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${planned.user.token}`,
      },
      body: planned.body,
    });
    const text = await answer.text();
    if (!answer.ok || text.includes('"errors"') || text.includes('"code"')) {
      throw new Error(`${planned.kind} as ${planned.user.email}: HTTP ${answer.status} ${text}`);
    }
  }
  for (const user of users) user.created = [];
}

// ---- report --------------------------------------------------------------------------------

export const ms = (values: number[], p: number) =>
  values.length ? percentile(values, p).toFixed(1) : '—';
export const int = (n: number) => Math.round(n).toLocaleString('en');

export async function facts(url: string) {
  const database = await withClient(url, async (sql) => ({
    version: (await sql.query<{ server_version: string }>(`SHOW server_version`)).rows[0]
      .server_version,
    counts: (
      await sql.query<Record<string, string>>(
        `SELECT (SELECT count(*) FROM accounts WHERE type = 'AGENCY') AS agencies,
                (SELECT count(*) FROM accounts WHERE type = 'CLIENT') AS clients,
                (SELECT count(*) FROM accounts WHERE type = 'PREMIUM_CLIENT') AS premium_clients,
                (SELECT count(*) FROM users) AS users,
                (SELECT count(*) FROM reports) AS reports,
                (SELECT count(*) FROM report_items) AS report_items,
                (SELECT count(*) FROM reporting_items) AS reporting_items`,
      )
    ).rows[0],
  }));
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const redisVersion = await redis
    .connect()
    .then(() => redis.info('server'))
    .then((info) => /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown')
    .catch(() => 'unreachable')
    .finally(() => redis.disconnect());
  return { ...database, redisVersion };
}

export const perSecond = (c: Configuration) => c.latencies.length / Math.max(1e-9, c.seconds);
/** CPU seconds as a share of one core over the measured time. */
export const core = (c: Configuration, cpuSeconds: number) =>
  `${((cpuSeconds / Math.max(1e-9, c.seconds)) * 100).toFixed(0)} %`;

/** The machine's busy share over a configuration's measured phases. */
export const machineBusy = (c: Configuration) =>
  `${((c.cpu.busy / Math.max(1e-9, c.cpu.total)) * 100).toFixed(0)} %`;

/**
 * The results file holds both comparisons, each under its own heading (matched as a prefix), in
 * this order; a run rewrites its own part and keeps the other's.
 */
export const RESULT_PARTS = {
  replicas: '# Load: ',
  standby: '## Primary and a streaming standby (issue 27)',
} as const;

export async function writeResults(part: keyof typeof RESULT_PARTS, text: string) {
  mkdirSync(path.dirname(resultFile), { recursive: true });
  const existing = existsSync(resultFile) ? readFileSync(resultFile, 'utf8') : '';
  const found = Object.entries(RESULT_PARTS)
    .map(([name, heading]) => ({
      name,
      at: existing.startsWith(heading) ? 0 : existing.indexOf(`\n${heading}`) + 1 || -1,
    }))
    .filter(({ at }) => at >= 0)
    .sort((a, b) => a.at - b.at);
  const texts = new Map(
    found.map(({ name, at }, i) => [name, existing.slice(at, found[i + 1]?.at).trimEnd()]),
  );
  texts.set(part, text.trimEnd());
  const ordered = Object.keys(RESULT_PARTS).flatMap((name) => texts.get(name) ?? []);
  await writeMarkdown(resultFile, `${ordered.join('\n\n')}\n`);
  // Committed next to prettier-checked files (`npm run lint`): written as prettier would.
  execFileSync(process.execPath, [
    path.join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
    '--write',
    '--log-level=warn',
    resultFile,
  ]);
  console.log(`Wrote ${path.relative(ROOT, resultFile)}`);
}
