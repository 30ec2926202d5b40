/**
 * B9 (issue 11): the reports page through Handover and through a PostGraphile v4 peer whose
 * visibility is row-level security (./policies.ts), over the same database, for the same
 * viewers. Checked first for the same rows, totalCount, accounts and creators; then timed in
 * interleaved rounds, Handover and the peer alternating which goes first.
 */
import { performance } from 'node:perf_hooks';
import type { BenchRow } from '../disconnect.bench';
import { percentile, postJson } from '../shared';
import { startPeer } from './peer-server';

export { applyPeerPolicies } from './policies';

/**
 * The closest the peer's standard connection gets to Handover's ReportsPage: `archived: false`
 * is `status: ACTIVE`, `archived` is `status`, the account and the creator are the foreign keys'
 * relations; the same order, page size and totalCount.
 */
export const PEER_REPORTS_PAGE = `query ReportsPage($first: Int = 20) {
  allReports(first: $first, orderBy: [CREATED_AT_DESC, ID_DESC], condition: { status: ACTIVE }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id name visibility status archivedAt createdAt
      accountByAccountId { id name type }
      userByCreatedById { id name }
    }
  }
}`;

interface Page {
  total: number;
  /** id:accountId:creatorId per row, in order. */
  rows: string[];
}

export async function benchPeer<Who extends { token: string }>(o: {
  databaseUrl: string;
  poolSize: number;
  jwtSecret: string;
  /** Handover's ReportsPage (first: 20) for a viewer, as `data`. */
  handover: (who: Who) => Promise<any>;
  /** [label, viewer] */
  viewers: [string, Who][];
  rounds: number;
  warmup: number;
}): Promise<{ rows: BenchRow[]; lines: string[]; mismatched: boolean }> {
  const peer = await startPeer(o);
  try {
    const peerPage = async (token: string) => {
      const { body } = await postJson(
        peer.url,
        { query: PEER_REPORTS_PAGE },
        { authorization: `Bearer ${token}` },
      );
      if (body.errors) throw new Error(`PostGraphile peer: ${JSON.stringify(body.errors)}`);
      return body.data;
    };
    const handoverOf = (data: any): Page => ({
      total: data.reports.totalCount,
      rows: data.reports.nodes.map(
        (n: any) => `${n.id}:${n.account?.id ?? '-'}:${n.createdBy?.id ?? '-'}`,
      ),
    });
    const peerOf = (data: any): Page => ({
      total: data.allReports.totalCount,
      rows: data.allReports.nodes.map(
        (n: any) => `${n.id}:${n.accountByAccountId?.id ?? '-'}:${n.userByCreatedById?.id ?? '-'}`,
      ),
    });

    let mismatched = false;
    const checks: string[] = [];
    for (const [label, who] of o.viewers) {
      const [h, p] = [handoverOf(await o.handover(who)), peerOf(await peerPage(who.token))];
      const same = h.total === p.total && h.rows.join() === p.rows.join();
      if (!same) {
        mismatched = true;
        console.error(`MISMATCH B9 ${label}`, h, p);
      }
      checks.push(
        `| ${label} | ${h.rows.length} rows, totalCount ${h.total} | ${p.rows.length} rows, totalCount ${p.total} | ${same ? 'same' : '**differ**'} |`,
      );
    }

    const timings = new Map<string, number[]>();
    const scenarios = o.viewers.flatMap(([label, who]) => [
      { name: `${label}/handover`, run: () => o.handover(who) },
      { name: `${label}/peer`, run: () => peerPage(who.token) },
    ]);
    for (const s of scenarios) timings.set(s.name, []);
    for (let round = 0; round < o.warmup + o.rounds; round++) {
      for (let i = 0; i < scenarios.length; i++) {
        const scenario = scenarios[(i + round) % scenarios.length];
        const start = performance.now();
        await scenario.run();
        if (round >= o.warmup) timings.get(scenario.name)!.push(performance.now() - start);
      }
    }
    const p50 = (name: string) => percentile(timings.get(name)!, 0.5);
    const p99 = (name: string) => percentile(timings.get(name)!, 0.99);

    const rows: BenchRow[] = o.viewers.map(([label]) => ({
      id: 'B9',
      what: `${label}: Handover p50 / PostGraphile peer p50`,
      value: p50(`${label}/handover`) / p50(`${label}/peer`),
      target: 1,
      unit: '×',
    }));
    const ms = (v: number) => v.toFixed(2);
    const lines = [
      '## B9: PostGraphile peer (bench/peer/)',
      '',
      `The reports page (first: 20, totalCount) through Handover and through PostGraphile v4 with row-level security for role \`bench_peer\` (bench/peer/policies.ts), same database, same JWT, pools of ${o.poolSize}; ${o.rounds} rounds after ${o.warmup} warm-up, interleaved.`,
      '',
      '| scenario | p50 | p99 |',
      '|---|---|---|',
      ...scenarios.map((s) => `| ${s.name} | ${ms(p50(s.name))} | ${ms(p99(s.name))} |`),
      '',
      'Same rows (report, account and creator ids in order, and totalCount):',
      '',
      '| viewer | Handover | PostGraphile peer | |',
      '|---|---|---|---|',
      ...checks,
      '',
    ];
    return { rows, lines, mismatched };
  } finally {
    await peer.stop();
  }
}
