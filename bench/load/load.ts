import 'reflect-metadata';
import autocannon from 'autocannon';
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { Client } from 'pg';
import { ACTS_FOR, REACHES } from '../../src/permissions/authority';
import { activeReportOpenTo } from '../../src/permissions/visibility';
import { signUserToken } from '../../src/server/auth';
import {
  flag,
  JWT_SECRET,
  option,
  percentile,
  world,
  withClient,
  worldSizeFromFlags,
  writeMarkdown,
} from '../shared';
import { emailOf } from '../world';

/**
 * `npm run load` (issue 14, B8): the API under a realistic mix from many users at once — one
 * server process, then the same load through a round-robin proxy to one and to several replicas
 * on the same PostgreSQL and Redis. Not a test: nothing is asserted; it writes
 * bench/load/results.md (`--smoke`: test-results/load-smoke.md). See bench/load/README.md.
 */

const ROOT = path.join(__dirname, '..', '..', '..');
const smoke = flag('smoke');
const size = worldSizeFromFlags(
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
const seconds = option('seconds', smoke ? 5 : 60);
const warmupSeconds = option('warmup', smoke ? 2 : 10);
const connections = option('connections', 50);
const userCount = option('users', smoke ? 30 : 200);
const replicaCount = option('replicas', 3);
const phases = option('phases', smoke ? 1 : 6);
const databaseName = smoke ? 'handover_load_smoke' : 'handover_load';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const resultFile = smoke
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
const WRITTEN_PREFIX = 'Load report ';

type Kind = 'reports page' | 'report detail' | 'disconnect preview' | 'write';
const KINDS: Kind[] = ['reports page', 'report detail', 'disconnect preview', 'write'];
const MIX: [Kind, number][] = [
  ['reports page', 0.7],
  ['report detail', 0.2],
  ['disconnect preview', 0.05],
  ['write', 0.05],
];

interface LoadUser {
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
async function loadUsers(url: string, count: number): Promise<LoadUser[]> {
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

interface Planned {
  kind: Kind;
  user: LoadUser;
  body: string;
  /** Writes: what to do with the answer (remember a created report). */
  created?: boolean;
}

function mixOf(users: LoadUser[]) {
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

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

const children: ChildProcess[] = [];
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
async function startServer(databaseUrl: string) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(ROOT, 'dist-bench', 'src', 'main.js')], {
    env: {
      ...process.env,
      ...SERVER_ENV,
      PORT: String(port),
      PUBLIC_URL: url,
      DATABASE_URL: databaseUrl,
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

async function startProxy(targets: string[]) {
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

async function stop(child: ChildProcess) {
  child.kill('SIGTERM');
  await exited(child);
}

// ---- CPU accounting ------------------------------------------------------------------------

const TICKS_PER_SECOND = 100;
/** CPU seconds a process has used so far (user + system), from /proc. */
const cpuOf = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
};
const machineCpu = () =>
  os.cpus().reduce(
    (sum, cpu) => {
      const { user, nice, sys, idle, irq } = cpu.times;
      return { busy: sum.busy + (user + nice + sys + irq) / 1000, idle: sum.idle + idle / 1000 };
    },
    { busy: 0, idle: 0 },
  );

interface CpuSnapshot {
  machine: { busy: number; idle: number };
  load: number;
  servers: number;
  proxies: number;
  /** The backends on the load's own database, by pid: the other engineers' are not ours. */
  postgres: Map<number, number>;
}
async function snapshot(
  sql: Client,
  servers: ChildProcess[],
  proxies: ChildProcess[],
): Promise<CpuSnapshot> {
  const backends = await sql.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const own = process.cpuUsage();
  const sum = (processes: ChildProcess[]) => processes.reduce((t, c) => t + cpuOf(c.pid!), 0);
  return {
    machine: machineCpu(),
    load: (own.user + own.system) / 1e6,
    servers: sum(servers),
    proxies: sum(proxies),
    postgres: new Map(backends.rows.map(({ pid }) => [pid, cpuOf(pid)])),
  };
}

// ---- configurations, measured in interleaved phases ----------------------------------------

interface Configuration {
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
  /** CPU seconds over the measured phases. */
  cpu: Record<'busy' | 'total' | 'load' | 'servers' | 'proxies' | 'postgres', number>;
}

const configuration = (name: string, target: string, users: LoadUser[]): Configuration => ({
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
  cpu: { busy: 0, total: 0, load: 0, servers: 0, proxies: 0, postgres: 0 },
});

/** One autocannon run against the configuration; its answers count only when `into` is given. */
async function drive(config: Configuration, duration: number, into: Configuration | null) {
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

/**
 * Every configuration gets `seconds` in `phases` slices, the order rotating each round: the
 * machine is shared, and other work that comes and goes then hits every configuration alike
 * instead of whichever ran at that moment.
 */
async function measureInterleaved(
  configs: Configuration[],
  sql: Client,
  servers: ChildProcess[],
  proxies: ChildProcess[],
) {
  for (const config of configs) {
    console.log(`${config.name}: warm-up ${warmupSeconds} s`);
    if (warmupSeconds > 0) await drive(config, warmupSeconds, null);
  }
  const slice = Math.max(1, Math.round(seconds / phases));
  for (let round = 0; round < phases; round++) {
    for (let i = 0; i < configs.length; i++) {
      const config = configs[(i + round) % configs.length];
      const before = await snapshot(sql, servers, proxies);
      const started = performance.now();
      await drive(config, slice, config);
      config.seconds += (performance.now() - started) / 1000;
      const after = await snapshot(sql, servers, proxies);
      const busy = after.machine.busy - before.machine.busy;
      config.cpu.busy += busy;
      config.cpu.total += busy + after.machine.idle - before.machine.idle;
      config.cpu.load += after.load - before.load;
      config.cpu.servers += after.servers - before.servers;
      config.cpu.proxies += after.proxies - before.proxies;
      // A backend new since `before` did all its work in this phase: pools close connections
      // idle for 10 s, so an idle replica's pool opens new ones when its next phase starts.
      for (const [pid, cpu] of after.postgres) {
        config.cpu.postgres += cpu - (before.postgres.get(pid) ?? 0);
      }
      console.log(
        `  round ${round + 1}/${phases}, ${config.name}: ${config.latencies.length} answers so far, ${config.errors} errors`,
      );
    }
  }
}

// ---- report --------------------------------------------------------------------------------

const ms = (values: number[], p: number) =>
  values.length ? percentile(values, p).toFixed(1) : '—';
const int = (n: number) => Math.round(n).toLocaleString('en');

async function facts(url: string) {
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

const perSecond = (c: Configuration) => c.latencies.length / Math.max(1e-9, c.seconds);
/** CPU seconds of the serving side: API processes, proxy, PostgreSQL backends of this world. */
const servingCpu = (c: Configuration) => c.cpu.servers + c.cpu.proxies + c.cpu.postgres;
const others = (c: Configuration) => Math.max(0, c.cpu.busy - c.cpu.load - servingCpu(c));
/** CPU seconds as a share of one core over the measured time. */
const core = (c: Configuration, cpuSeconds: number) =>
  `${((cpuSeconds / Math.max(1e-9, c.seconds)) * 100).toFixed(0)} %`;

/** Requests per CPU-second of the serving side: the comparison other work on the machine spares. */
const efficiency = (c: Configuration) => c.latencies.length / Math.max(1e-9, servingCpu(c));

/** What the numbers say about replicas on this machine, from the run's own CPU figures. */
function reading(single: Configuration, proxied: Configuration, replicas: Configuration) {
  const ratio = perSecond(replicas) / perSecond(single);
  const all = [single, proxied, replicas];
  const verdict =
    ratio < 0.9
      ? 'fewer than one process'
      : ratio < 1.15
        ? 'about the same as one process'
        : ratio < 1.5
          ? 'a modest gain'
          : 'a clear gain';
  const costs = (from: Configuration, to: Configuration) => {
    const more = efficiency(from) / efficiency(to) - 1;
    return more > 0.02
      ? `costs ${(more * 100).toFixed(0)} % more CPU per request`
      : 'costs nothing measurable';
  };
  const othersTook =
    all.reduce((t, c) => t + others(c), 0) / all.reduce((t, c) => t + c.cpu.busy, 0);
  const busiest = Math.min(...all.map((c) => c.cpu.busy / Math.max(1e-9, c.cpu.total)));
  return [
    `${replicaCount} replicas behind the proxy served ${ratio.toFixed(2)}× the requests/s of one process: ${verdict}.`,
    ratio < 1.15
      ? 'Little was expected, and this machine cannot show more.'
      : 'More than this machine should allow: take it for noise from the shared machine until a rerun confirms it.',
    `Replicas add processes, not cores: the API processes, PostgreSQL (several statements per request), the proxy and the load generator share the same ${os.cpus().length} cores, which were at least ${(busiest * 100).toFixed(0)} % busy in every configuration${busiest > 0.9 ? ' — CPU bound, so more processes only split the same CPU' : ''}.`,
    `With no idle core, requests/s follow the CPU the serving side (API processes + proxy + PostgreSQL) was left, not the number of processes: ${all.map((c) => core(c, servingCpu(c))).join(', ')} of a core in the three configurations.`,
    `The comparison that other work on the machine spares is requests per serving CPU-second: ${all.map((c) => efficiency(c).toFixed(0)).join(', ')}. The proxy's hop ${costs(single, proxied)}; splitting the one process into ${replicaCount} ${costs(proxied, replicas)} on top (more processes to schedule, ${replicaCount}× the pools and database connections, each process's caches and JIT warmed separately).`,
    ...(othersTook > 0.4
      ? [
          `Other work on the shared machine took ${(othersTook * 100).toFixed(0)} % of its busy time during the measured phases ("other work" above), so the absolute numbers are far below what these processes do on an idle machine; the phases were interleaved so that it hit every configuration alike, but the requests/s ratios still carry its noise.`,
        ]
      : []),
    `Replicas pay off when each gets cores of its own (one Node process saturates about one core, docs/deploying.md) and PostgreSQL has headroom on its own machine.`,
  ].join(' ');
}

async function report(
  configs: Configuration[],
  users: LoadUser[],
  info: Awaited<ReturnType<typeof facts>>,
  loadBefore: number[],
) {
  const [single, proxied, replicas] = configs;
  const ratio = perSecond(replicas) / perSecond(single);
  const roles = ['ADMIN', 'ACCOUNT_MANAGER', 'REGULAR'].map(
    (role) => `${users.filter((u) => u.role === role).length} ${role}`,
  );
  const cores = os.cpus().length;
  const slice = Math.max(1, Math.round(seconds / phases));
  const lines = [
    `# Load: the API under a realistic mix, one process and ${replicaCount} replicas (issues 11 B8, 14)`,
    '',
    `Generated by \`npm run load${smoke ? ' -- --smoke' : ''}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    '## Machine and set-up',
    '',
    `- ${cores} cores (${os.cpus()[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB memory, ${process.platform}/${process.arch}. Load average ${loadBefore.map((l) => l.toFixed(2)).join(' / ')} at the start; whatever else ran on the machine during the run is "other work" in the CPU table.`,
    `- Node ${process.version}; PostgreSQL ${info.version} (local server, default settings, the same machine); Redis ${info.redisVersion} (local).`,
    `- World \`${databaseName}\`: ${Object.entries(info.counts)
      .map(([k, v]) => `${int(Number(v))} ${k.replace('_', ' ')}`)
      .join(
        ', ',
      )}; sizes ${JSON.stringify(size)}. Reports written by earlier load runs are deleted at the start.`,
    `- Servers: \`main.js\` (the production entry point), one process per replica, \`NODE_ENV=production\`, \`DB_POOL_SIZE=10\`, \`REDIS_URL\` set, rate limits on with budgets of 10⁹ points (never reached), \`LOG_LEVEL=silent\`, mail relay off. All ${replicaCount} are up for the whole run; the single-process configurations send to the first.`,
    `- Load: autocannon, ${connections} connections, pipelining 1, from one Node process; ${users.length} users (JWTs) over ${new Set(users.map((u) => u.ownAccount)).size} agencies: ${roles.join(', ')}.`,
    `- Timing: a ${warmupSeconds} s warm-up per configuration, then ${phases} rounds of ${slice} s per configuration (${phases * slice} s each), the order rotating every round, so other work on the machine hits every configuration alike.`,
    `- Mix (one seeded sequence, replayed for every configuration): 70 % \`ReportsPage\` (first: 20; one in ten with archived: true), 20 % \`ReportDetail\` (a report the user can open, sampled per user with SQL up front), 5 % \`DisconnectClientPreview\` (a client the user manages, from the ADMIN and ACCOUNT_MANAGER users only), 5 % writes (\`createReport\` on the user's own agency account, then \`updateReport\` renaming it).`,
    `- Errors: a response that is not JSON, has \`errors\`, is not 2xx, has \`userErrors\`, or a report detail answering null. Latency is per request, from writing it to reading the whole answer, measured by the script; requests/s = answered requests / measured seconds.`,
    '',
    '## Results',
    '',
    '| configuration | requests | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors | non-2xx | socket errors (timeouts) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...configs.map(
      (c) =>
        `| ${c.name} | ${int(c.latencies.length)} | ${perSecond(c).toFixed(1)} | ${ms(c.latencies, 0.5)} | ${ms(c.latencies, 0.95)} | ${ms(c.latencies, 0.99)} | ${ms(c.latencies, 1)} | ${c.errors} | ${c.non2xx} | ${c.socketErrors} (${c.timeouts}) |`,
    ),
    '',
    `**${replicaCount} replicas / 1 process: ${ratio.toFixed(2)}× the requests/s** (p50 ${ms(replicas.latencies, 0.5)} vs ${ms(single.latencies, 0.5)} ms, p99 ${ms(replicas.latencies, 0.99)} vs ${ms(single.latencies, 0.99)} ms); ${(efficiency(replicas) / efficiency(single)).toFixed(2)}× the requests per serving CPU-second (see the CPU table).`,
    '',
    ...(configs.some((c) => c.codes.size > 0)
      ? [
          'Errors by code:',
          '',
          ...configs
            .filter((c) => c.codes.size > 0)
            .map(
              (c) => `- ${c.name}: ${[...c.codes].map(([code, n]) => `${code} × ${n}`).join(', ')}`,
            ),
          '',
        ]
      : []),
    '## By operation',
    '',
    '| configuration | operation | requests | share | p50 ms | p95 ms | p99 ms | errors |',
    '|---|---|---|---|---|---|---|---|',
    ...configs.flatMap((c) =>
      KINDS.map((kind) => {
        const k = c.byKind.get(kind)!;
        return `| ${c.name} | ${kind} | ${int(k.latencies.length)} | ${((k.latencies.length / Math.max(1, c.latencies.length)) * 100).toFixed(1)} % | ${ms(k.latencies, 0.5)} | ${ms(k.latencies, 0.95)} | ${ms(k.latencies, 0.99)} | ${k.errors} |`;
      }),
    ),
    '',
    '## Where the CPU went',
    '',
    `CPU time during each configuration's measured phases as a share of one core (${cores} cores = ${cores * 100} %), from /proc. API processes: all ${replicaCount} (idle ones cost next to nothing); PostgreSQL: the backends connected to \`${databaseName}\`; other work: the machine's busy time minus everything listed (other processes, other databases' backends).`,
    '',
    '| configuration | machine busy | load generator | API process(es) | proxy | PostgreSQL | other work | requests per serving CPU-second |',
    '|---|---|---|---|---|---|---|---|',
    ...configs.map(
      (c) =>
        `| ${c.name} | ${((c.cpu.busy / Math.max(1e-9, c.cpu.total)) * 100).toFixed(0)} % | ${core(c, c.cpu.load)} | ${core(c, c.cpu.servers)} | ${core(c, c.cpu.proxies)} | ${core(c, c.cpu.postgres)} | ${core(c, others(c))} | ${efficiency(c).toFixed(0)} |`,
    ),
    '',
    '## Reading it',
    '',
    reading(single, proxied, replicas),
    '',
  ];
  mkdirSync(path.dirname(resultFile), { recursive: true });
  await writeMarkdown(resultFile, lines.join('\n'));
  // Committed next to prettier-checked files (`npm run lint`): written as prettier would.
  execFileSync(process.execPath, [
    path.join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
    '--write',
    '--log-level=warn',
    resultFile,
  ]);
  console.log(lines.slice(lines.indexOf('## Results')).join('\n'));
  console.log(`Wrote ${path.relative(ROOT, resultFile)}`);
}

// ---- main ----------------------------------------------------------------------------------

async function main() {
  const loadBefore = os.loadavg();
  const url = await world(databaseName, size);
  // The generator writes no audit events: every one here comes from an earlier run's writes.
  await withClient(url, async (sql) => {
    await sql.query(`DELETE FROM reports WHERE name LIKE $1`, [`${WRITTEN_PREFIX}%`]);
    await sql.query(`DELETE FROM audit_events`);
  });
  const users = await loadUsers(url, userCount);
  console.log(
    `${users.length} users; ${users.filter((u) => u.managed.length > 0).length} manage clients`,
  );

  const servers = [await startServer(url)];
  // One of each before timing anything: a mix that fails here would only measure errors.
  for (let next = mixOf(users), seen = new Set<Kind>(); seen.size < KINDS.length;) {
    const planned = next();
    if (seen.has(planned.kind)) continue;
    seen.add(planned.kind);
    const answer = await fetch(`${servers[0].url}/graphql`, {
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
  for (let i = 1; i < replicaCount; i++) servers.push(await startServer(url));
  const oneBehindProxy = await startProxy([servers[0].url]);
  const balancer = await startProxy(servers.map((s) => s.url));

  const configs = [
    configuration('1 process', servers[0].url, users),
    configuration('1 process, through the proxy', oneBehindProxy.url, users),
    configuration(`${replicaCount} replicas, through the proxy`, balancer.url, users),
  ];
  const sql = new Client({ connectionString: url });
  await sql.connect();
  try {
    await measureInterleaved(
      configs,
      sql,
      servers.map((s) => s.child),
      [oneBehindProxy.child, balancer.child],
    );
  } finally {
    await sql.end();
  }
  await report(configs, users, await facts(url), loadBefore);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => Promise.all(children.map(stop)));
