import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { startReplicatedPair } from '../../test/helpers/replicated-pair';
import { withClient, world } from '../shared';
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
  mixOf,
  ms,
  perSecond,
  phases,
  postgresServerCpu,
  seconds,
  size,
  smoke,
  startServer,
  stop,
  userCount,
  warmupSeconds,
  writeResults,
  type Configuration,
  type LoadUser,
  type Planned,
} from './harness';

/**
 * `npm run load -- --standby` (issue 27): the same mix against the primary alone and against
 * the primary with one streaming hot standby (DATABASE_REPLICA_URLS), both on one machine. The
 * run makes its own primary and standby (test/helpers/replicated-pair.ts: initdb,
 * pg_basebackup -R), generates the world on the primary and lets it stream, then measures both
 * configurations in interleaved phases: requests/s, p95, the share of reads the standby served
 * (from the server's own /metrics), and the CPU of each PostgreSQL server.
 */

const databaseName = 'handover_load';

/** handover_read_routing_total of one server, by `target/reason`. */
async function routedReads(url: string): Promise<Record<string, number>> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const counts: Record<string, number> = {};
  for (const [, target, reason, value] of text.matchAll(
    /^handover_read_routing_total\{target="(\w+)",reason="(\w+)"\} (\d+)$/gm,
  )) {
    counts[`${target}/${reason}`] = Number(value);
  }
  return counts;
}

/** Waits until the standby has replayed everything the primary wrote (the world). */
async function caughtUp(primaryUrl: string, standbyUrl: string) {
  const target = await withClient(
    primaryUrl,
    async (c) => (await c.query(`SELECT pg_current_wal_insert_lsn() AS lsn`)).rows[0].lsn,
  );
  await withClient(standbyUrl, async (c) => {
    for (let waited = 0; ; waited += 200) {
      const { rows } = await c.query(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done`, [
        target,
      ]);
      if (rows[0].done) return;
      if (waited > 600_000) throw new Error('the standby did not catch up within 10 minutes');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
}

/** Transactions committed and rows read so far in the world's database of one server. */
async function databaseStats(url: string) {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ xacts: string; rows: string }>(
      `SELECT xact_commit AS xacts, tup_returned + tup_fetched AS rows
         FROM pg_stat_database WHERE datname = current_database()`,
    );
    return { xacts: Number(rows[0].xacts), rows: Number(rows[0].rows) };
  });
}

interface OneAtATime {
  name: string;
  requests: number;
  milliseconds: number;
  apiCpu: number;
  primary: { xacts: number; rows: number };
  standby: { xacts: number; rows: number };
}

/**
 * The reads of the mix (reports pages and report details) sent one at a time, so that what a
 * request costs each process is not hidden by the queueing of a saturated machine: per request,
 * the API process's CPU, and the statements (autocommit transactions) and rows each PostgreSQL
 * server ran for it, from pg_stat_database. Two rounds per configuration, alternating.
 */
async function oneAtATime(
  servers: { name: string; url: string; pid: number }[],
  users: LoadUser[],
  databases: { primary: string; standby: string },
  requests: number,
): Promise<OneAtATime[]> {
  const totals = new Map<string, OneAtATime>();
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));
  for (let round = 0; round < 2; round++) {
    for (const server of servers) {
      const next = mixOf(users);
      const bodies: Planned[] = [];
      while (bodies.length < requests) {
        const planned = next();
        if (planned.kind === 'reports page' || planned.kind === 'report detail') {
          bodies.push(planned);
        }
      }
      // Statistics reach pg_stat_database when a backend goes idle: let the last ones land.
      await settle();
      const before = {
        primary: await databaseStats(databases.primary),
        standby: await databaseStats(databases.standby),
        cpu: cpuOf(server.pid),
      };
      const started = performance.now();
      for (const planned of bodies) {
        const answer = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${planned.user.token}`,
          },
          body: planned.body,
        });
        await answer.text();
      }
      const milliseconds = performance.now() - started;
      const cpu = cpuOf(server.pid);
      await settle();
      const after = {
        primary: await databaseStats(databases.primary),
        standby: await databaseStats(databases.standby),
      };
      const total = totals.get(server.name) ?? {
        name: server.name,
        requests: 0,
        milliseconds: 0,
        apiCpu: 0,
        primary: { xacts: 0, rows: 0 },
        standby: { xacts: 0, rows: 0 },
      };
      total.requests += requests;
      total.milliseconds += milliseconds;
      total.apiCpu += cpu - before.cpu;
      for (const side of ['primary', 'standby'] as const) {
        total[side].xacts += after[side].xacts - before[side].xacts;
        total[side].rows += after[side].rows - before[side].rows;
      }
      totals.set(server.name, total);
    }
  }
  return [...totals.values()];
}

const reads = (c: Configuration, target: string) =>
  Object.entries(c.counts)
    .filter(([key]) => key.startsWith(`${target}/`))
    .reduce((t, [, n]) => t + n, 0);
const postgresCpu = (c: Configuration) => c.cpu.primary + c.cpu.standby;
const servingCpu = (c: Configuration) => c.cpu.servers + postgresCpu(c);
const others = (c: Configuration) => Math.max(0, c.cpu.busy - c.cpu.load - servingCpu(c));
const efficiency = (c: Configuration) => c.latencies.length / Math.max(1e-9, servingCpu(c));

function report(
  configs: [Configuration, Configuration],
  sequential: OneAtATime[],
  users: LoadUser[],
  info: Awaited<ReturnType<typeof facts>>,
  loadBefore: number[],
) {
  const [alone, withStandby] = configs;
  const rps = perSecond(withStandby) / perSecond(alone);
  const p95 = (c: Configuration) => Number(ms(c.latencies, 0.95));
  const onStandby = reads(withStandby, 'standby');
  const routed = onStandby + reads(withStandby, 'primary');
  const share = onStandby / Math.max(1, routed);
  const reasons = Object.entries(withStandby.counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key.replace('/', ', ')}: ${int(n)}`)
    .join('; ');
  const slice = Math.max(1, Math.round(seconds / phases));
  const cores = os.cpus().length;
  return [
    '## Primary and a streaming standby (issue 27)',
    '',
    `Generated by \`npm run load -- --standby${smoke ? ' --smoke' : ''}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    '### Set-up',
    '',
    `- Same machine, Node, Redis, server settings, load generator and mix as above (${connections} connections, ${users.length} users, the same seeded sequence for both configurations). ${cores} cores; load average ${loadBefore.map((l) => l.toFixed(2)).join(' / ')} at the start.`,
    `- PostgreSQL ${info.version}: a primary and a hot standby made by the run itself (initdb, \`pg_basebackup -R\`, streaming replication; \`fsync = off\`, \`hot_standby_feedback = on\`, otherwise default settings), both on this machine. World \`${databaseName}\` generated on the primary and replayed by the standby before timing: ${Object.entries(
      info.counts,
    )
      .map(([k, v]) => `${int(Number(v))} ${k.replace('_', ' ')}`)
      .join(', ')}.`,
    `- Two \`main.js\` processes, both up for the whole run: one with \`DATABASE_URL\` only (the primary alone), one with \`DATABASE_REPLICA_URLS\` naming the standby. Reads follow docs/deploying.md's rule: a query reads the standby only once it has replayed the primary's WAL insert position read at the request's start; writes, previews and transactions stay on the primary.`,
    `- Timing: a ${warmupSeconds} s warm-up per configuration, then ${phases} rounds of ${slice} s each, the order rotating every round.`,
    '',
    '### Results',
    '',
    '| configuration | requests | requests/s | p50 ms | p95 ms | p99 ms | errors | reads on the standby |',
    '|---|---|---|---|---|---|---|---|',
    ...configs.map(
      (c) =>
        `| ${c.name} | ${int(c.latencies.length)} | ${perSecond(c).toFixed(1)} | ${ms(c.latencies, 0.5)} | ${ms(c.latencies, 0.95)} | ${ms(c.latencies, 0.99)} | ${c.errors} | ${c === alone ? '—' : `${int(onStandby)} of ${int(routed)} (${(share * 100).toFixed(0)} %)`} |`,
    ),
    '',
    `**Primary + 1 standby / primary alone: ${rps.toFixed(2)}× the requests/s, ${(p95(withStandby) / p95(alone)).toFixed(2)}× the p95 latency; the standby served ${(share * 100).toFixed(0)} % of the operations the router decided** (${reasons}). A routed operation is a read: \`primary/caught_up\` never occurs; \`primary/lagging\` is a read sent to the primary because the standby had not yet replayed the request's start position, and the other \`primary/…\` reasons are operations that stay on the primary by the rule (mutations, previews).`,
    '',
    '| configuration | operation | requests | p50 ms | p95 ms | errors |',
    '|---|---|---|---|---|---|',
    ...configs.flatMap((c) =>
      KINDS.map((kind) => {
        const k = c.byKind.get(kind)!;
        return `| ${c.name} | ${kind} | ${int(k.latencies.length)} | ${ms(k.latencies, 0.5)} | ${ms(k.latencies, 0.95)} | ${k.errors} |`;
      }),
    ),
    '',
    '### One request at a time',
    '',
    `The reads of the mix (reports pages and report details), ${int(sequential[0].requests)} per configuration sent one after the other in two alternating rounds, so that what each request costs is not hidden by the queueing of a saturated machine. Per request: the API process's CPU, and the statements (transactions) and rows each PostgreSQL server ran for it (pg_stat_database of the world's database; the standby's include the replay-position check).`,
    '',
    '| configuration | ms per request | API CPU ms per request | statements on the primary | statements on the standby | rows read on the primary | rows read on the standby |',
    '|---|---|---|---|---|---|---|',
    ...sequential.map((r) => {
      const per = (n: number) => n / Math.max(1, r.requests);
      return `| ${r.name} | ${per(r.milliseconds).toFixed(1)} | ${(per(r.apiCpu) * 1000).toFixed(2)} | ${per(r.primary.xacts).toFixed(2)} | ${per(r.standby.xacts).toFixed(2)} | ${int(per(r.primary.rows))} | ${int(per(r.standby.rows))} |`;
    }),
    '',
    '### Where the CPU went',
    '',
    `Share of one core over each configuration's measured phases (${cores} cores = ${cores * 100} %), from /proc: the two API processes (the idle one costs next to nothing), and each PostgreSQL server as a whole (postmaster, backends, WAL sender or receiver and startup process, and the backends it reaped in between).`,
    '',
    '| configuration | machine busy | load generator | API processes | primary | standby | other work | requests per serving CPU-second |',
    '|---|---|---|---|---|---|---|---|',
    ...configs.map(
      (c) =>
        `| ${c.name} | ${machineBusy(c)} | ${core(c, c.cpu.load)} | ${core(c, c.cpu.servers)} | ${core(c, c.cpu.primary)} | ${core(c, c.cpu.standby)} | ${core(c, others(c))} | ${efficiency(c).toFixed(0)} |`,
    ),
    '',
    '### Reading it',
    '',
    [
      `A standby adds a database server, not cores: here it shares the machine's ${cores} cores with the primary, both API processes and the load generator, so what the standby takes off the primary it spends again on the same cores (the standby's own replay work included: ${core(withStandby, withStandby.cpu.standby)} of a core with the standby, ${core(alone, alone.cpu.standby)} without its reads).`,
      withStandby.cpu.primary / withStandby.seconds < alone.cpu.primary / alone.seconds
        ? `The primary's share fell from ${core(alone, alone.cpu.primary)} to ${core(withStandby, withStandby.cpu.primary)} of a core; that freed primary CPU is the gain a standby on its own machine turns into throughput and write headroom.`
        : `The primary's share did not fall (${core(alone, alone.cpu.primary)} alone, ${core(withStandby, withStandby.cpu.primary)} with the standby): on this machine the standby freed no primary CPU.`,
      ...(others(alone) + others(withStandby) > 0.4 * (alone.cpu.busy + withStandby.cpu.busy)
        ? [
            `Other work on the shared machine took much of its CPU during the run ("other work" above): the phases were interleaved so that it hit both configurations alike, but the requests/s ratio carries its noise.`,
          ]
        : []),
      ((alone1, standby1) => {
        const per = (r: OneAtATime, n: number) => n / Math.max(1, r.requests);
        const cpuRatio = per(standby1, standby1.apiCpu) / per(alone1, alone1.apiCpu);
        const timeRatio = per(standby1, standby1.milliseconds) / per(alone1, alone1.milliseconds);
        return `One request at a time, a read with the standby cost the API process ${cpuRatio.toFixed(2)}× the CPU and took ${timeRatio.toFixed(2)}× the time of the primary alone; it ran ${per(standby1, standby1.primary.xacts).toFixed(1)} statements on the primary instead of ${per(alone1, alone1.primary.xacts).toFixed(1)} (authentication, and now the WAL position) and ${per(standby1, standby1.standby.xacts).toFixed(1)} on the standby, which read ${int(per(standby1, standby1.standby.rows))} rows per request for the primary's ${int(per(standby1, standby1.primary.rows))}. ${
          rps < 0.9 * (1 / timeRatio)
            ? `Under load the standby configuration did worse (${rps.toFixed(2)}× the requests/s) than one request at a time predicts (${(1 / timeRatio).toFixed(2)}×). Not measured separately, and the likely reason: a routed read makes two more round trips before its first read (the primary's position, then the standby's) and draws from a second pool, and with no idle core each of those waits is a turn on a saturated CPU shared with the other work; requests per serving CPU-second (${(efficiency(withStandby) / efficiency(alone)).toFixed(2)}× the primary alone's) carry the same queueing.`
            : `Under load the ratio (${rps.toFixed(2)}× the requests/s) is what one request at a time predicts.`
        }`;
      })(sequential[0], sequential[1]),
      `Reads the router sent to the primary because the standby lagged are the price of I3 under writes: the 5 % of writes in the mix move the primary's WAL position ahead of the standby for a moment after each commit.`,
    ].join(' '),
    '',
  ].join('\n');
}

export async function runStandbyComparison() {
  const loadBefore = os.loadavg();
  console.log('Starting a primary and a streaming standby');
  const pair = await startReplicatedPair();
  try {
    const url = await world(databaseName, size, pair.primaryUrl('postgres'));
    const standbyUrl = pair.standbyUrl(databaseName);
    console.log('Waiting for the standby to replay the world');
    await caughtUp(url, standbyUrl);
    const users = await loadUsers(url, userCount);
    const alone = await startServer(url);
    const withStandby = await startServer(url, { DATABASE_REPLICA_URLS: standbyUrl });
    await answerEachKindOnce(alone.url, users);
    await answerEachKindOnce(withStandby.url, users);
    const configs: [Configuration, Configuration] = [
      configuration('primary alone', alone.url, users),
      configuration('primary + 1 standby', withStandby.url, users),
    ];
    const { primary, standby } = pair.dataDirectories;
    const sample = async () =>
      cpuSample({
        servers: cpuOf(alone.child.pid!) + cpuOf(withStandby.child.pid!),
        primary: postgresServerCpu(primary),
        standby: postgresServerCpu(standby),
        routed: await routedReads(withStandby.url),
      });
    await measureInterleaved(configs, sample, (before, after, config) => ({
      cpu: {
        servers: after.parts.servers - before.parts.servers,
        primary: after.parts.primary - before.parts.primary,
        standby: after.parts.standby - before.parts.standby,
      },
      counts:
        config === configs[1]
          ? Object.fromEntries(
              Object.entries(after.parts.routed).map(([key, n]) => [
                key,
                n - (before.parts.routed[key] ?? 0),
              ]),
            )
          : {},
    }));
    console.log('One request at a time');
    const sequential = await oneAtATime(
      [
        { name: configs[0].name, url: alone.url, pid: alone.child.pid! },
        { name: configs[1].name, url: withStandby.url, pid: withStandby.child.pid! },
      ],
      users,
      { primary: url, standby: standbyUrl },
      smoke ? 50 : 300,
    );
    const text = report(configs, sequential, users, await facts(url), loadBefore);
    await writeResults('standby', text);
    console.log(text.slice(text.indexOf('### Results')));
  } finally {
    await Promise.all(children.map(stop));
    children.length = 0;
    pair.stop();
  }
}
