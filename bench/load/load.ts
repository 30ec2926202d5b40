import { type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { Client } from 'pg';
import { flag, option, withClient, world } from '../shared';
import {
  answerEachKindOnce,
  children,
  configuration,
  connections,
  core,
  cpuOf,
  cpuSample,
  facts,
  int,
  KINDS,
  loadUsers,
  machineBusy,
  measureInterleaved,
  ms,
  perSecond,
  phases,
  seconds,
  size,
  smoke,
  startProxy,
  startServer,
  stop,
  userCount,
  warmupSeconds,
  writeResults,
  WRITTEN_PREFIX,
  type Configuration,
  type LoadUser,
} from './harness';
import { runStandbyComparison } from './standby';

/**
 * `npm run load` (issue 14, B8): the API under a realistic mix from many users at once — one
 * server process, then the same load through a round-robin proxy to one and to several replicas
 * on the same PostgreSQL and Redis. `npm run load -- --standby` (issue 27) compares instead the
 * primary alone with the primary and a streaming standby. Not a test: nothing is asserted; it
 * writes bench/load/results.md (`--smoke`: test-results/load-smoke.md). See bench/load/README.md.
 */

const replicaCount = option('replicas', 3);
const databaseName = smoke ? 'handover_load_smoke' : 'handover_load';

// ---- CPU of the parts ------------------------------------------------------------------------

/** The API processes and proxies by pid, and the backends on the load's own database. */
async function snapshot(sql: Client, servers: ChildProcess[], proxies: ChildProcess[]) {
  const backends = await sql.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const sum = (processes: ChildProcess[]) => processes.reduce((t, c) => t + cpuOf(c.pid!), 0);
  return cpuSample({
    servers: sum(servers),
    proxies: sum(proxies),
    // By pid: the other engineers' databases on the same server are not ours.
    postgres: new Map(backends.rows.map(({ pid }) => [pid, cpuOf(pid)])),
  });
}
type Snapshot = Awaited<ReturnType<typeof snapshot>>;

function cpuBetween(before: Snapshot, after: Snapshot) {
  let postgres = 0;
  // A backend new since `before` did all its work in this phase: pools close connections
  // idle for 10 s, so an idle replica's pool opens new ones when its next phase starts.
  for (const [pid, cpu] of after.parts.postgres) {
    postgres += cpu - (before.parts.postgres.get(pid) ?? 0);
  }
  return {
    cpu: {
      servers: after.parts.servers - before.parts.servers,
      proxies: after.parts.proxies - before.parts.proxies,
      postgres,
    },
  };
}

/** CPU seconds of the serving side: API processes, proxy, PostgreSQL backends of this world. */
const servingCpu = (c: Configuration) => c.cpu.servers + c.cpu.proxies + c.cpu.postgres;
const others = (c: Configuration) => Math.max(0, c.cpu.busy - c.cpu.load - servingCpu(c));

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
        `| ${c.name} | ${machineBusy(c)} | ${core(c, c.cpu.load)} | ${core(c, c.cpu.servers)} | ${core(c, c.cpu.proxies)} | ${core(c, c.cpu.postgres)} | ${core(c, others(c))} | ${efficiency(c).toFixed(0)} |`,
    ),
    '',
    '## Reading it',
    '',
    reading(single, proxied, replicas),
    '',
  ];
  await writeResults('replicas', lines.join('\n'));
  console.log(lines.slice(lines.indexOf('## Results')).join('\n'));
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
  await answerEachKindOnce(servers[0].url, users);
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
      () =>
        snapshot(
          sql,
          servers.map((s) => s.child),
          [oneBehindProxy.child, balancer.child],
        ),
      cpuBetween,
    );
  } finally {
    await sql.end();
  }
  await report(configs, users, await facts(url), loadBefore);
}

(flag('standby') ? runStandbyComparison() : main())
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => Promise.all(children.map(stop)));
