import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../cluster/processes';

/**
 * Issue 27: a PostgreSQL primary and a streaming hot standby of it, made and removed by the
 * test itself (initdb, pg_basebackup -R, two `postgres` on free ports in a temp directory), as
 * CI provides PostgreSQL's binaries but no replication on its own server. Run as the `postgres`
 * user when the test runs as root (PostgreSQL refuses root).
 */
export interface ReplicatedPair {
  primaryUrl: (database: string) => string;
  standbyUrl: (database: string) => string;
  /** The two servers' data directories (their postmaster.pid: `npm run load -- --standby`). */
  dataDirectories: { primary: string; standby: string };
  stopStandby(): void;
  stop(): void;
}

function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error('PostgreSQL binaries not found (set PG_BIN)');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

export async function startReplicatedPair(): Promise<ReplicatedPair> {
  const bin = postgresBin();
  const root = process.getuid?.() === 0;
  const run = (tool: string, args: string[]) =>
    execFileSync(
      root ? 'runuser' : path.join(bin, tool),
      root ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args,
      { stdio: 'pipe', timeout: 120_000 },
    );
  const dir = mkdtempSync('/tmp/handover-standby-');
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const primary = path.join(dir, 'primary');
  const standby = path.join(dir, 'standby');
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  run('initdb', ['-D', primary, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  appendFileSync(
    path.join(primary, 'postgresql.conf'),
    [
      `listen_addresses = '127.0.0.1'`,
      `port = ${primaryPort}`,
      `unix_socket_directories = '${dir}'`,
      `wal_level = replica`,
      `max_wal_senders = 4`,
      `fsync = off`,
      `hot_standby = on`,
      `max_standby_streaming_delay = 30s`,
      `hot_standby_feedback = on`,
      '',
    ].join('\n'),
  );
  const pgCtl = (data: string, ...args: string[]) =>
    run('pg_ctl', ['-D', data, '-l', `${data}.log`, '-w', '-t', '60', ...args]);
  pgCtl(primary, 'start');
  run('pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    String(primaryPort),
    '-U',
    'postgres',
    '-D',
    standby,
    '-R',
    '-X',
    'stream',
    '--no-sync',
  ]);
  appendFileSync(path.join(standby, 'postgresql.conf'), `port = ${standbyPort}\n`);
  pgCtl(standby, 'start');
  let standbyRunning = true;
  const url = (port: number) => (database: string) =>
    `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    primaryUrl: url(primaryPort),
    standbyUrl: url(standbyPort),
    dataDirectories: { primary, standby },
    stopStandby() {
      if (standbyRunning) pgCtl(standby, 'stop', '-m', 'fast');
      standbyRunning = false;
    },
    stop() {
      try {
        if (standbyRunning) pgCtl(standby, 'stop', '-m', 'immediate');
      } finally {
        try {
          pgCtl(primary, 'stop', '-m', 'immediate');
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    },
  };
}
