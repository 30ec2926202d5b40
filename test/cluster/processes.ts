import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

const root = path.resolve(__dirname, '../..');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One built Handover process (`node dist/main.js` or `node dist/worker.js`). */
export interface Proc {
  name: string;
  child: ChildProcess;
  /** stdout and stderr so far (JSON log lines), for failure messages. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startProcess(
  name: string,
  script: 'dist/main.js' | 'dist/worker.js' | 'dist/database/migrate.js',
  env: Record<string, string>,
): Proc {
  const child = spawn(process.execPath, [script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { name, child, output: () => output, exited };
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  proc?: Proc,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve(check()).catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${proc ? `\n${proc.output().slice(-3000)}` : ''}`);
}

export interface SinkMessage {
  to: string;
  messageId: string;
  /** The EHLO name of the sender: which process sent it (SMTP_URL ?name=...). */
  sender: string;
}

/**
 * The one SMTP sink of the cluster. `holdNext()` makes the next message be stored and then not
 * acknowledged (no 250) until the sender goes away: the window in which a relay dies after the
 * receiver has the message but before it marked the row SENT.
 */
export async function startSmtpSink() {
  const received: SinkMessage[] = [];
  let hold: ((message: SinkMessage) => void) | null = null;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        const headers = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
        const message = {
          to: session.envelope.rcptTo.map((r) => r.address).join(','),
          messageId: /^Message-ID: (.*)$/im.exec(headers)?.[1]?.trim() ?? '',
          sender: session.hostNameAppearsAs,
        };
        received.push(message);
        if (hold) {
          const held = hold;
          hold = null;
          held(message);
          return; // never acknowledged: the sender is killed while it waits for the 250
        }
        callback();
      });
    },
  });
  smtp.on('error', () => {});
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as net.AddressInfo;
  return {
    urlFor: (sender: string) => `smtp://127.0.0.1:${port}/?name=${sender}`,
    received,
    /** Resolves with the next message, which the sink then keeps unacknowledged. */
    holdNext: () => new Promise<SinkMessage>((resolve) => (hold = resolve)),
    cancelHold: () => (hold = null),
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
