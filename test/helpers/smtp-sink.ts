import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SinkMessage {
  to: string[];
  subject: string;
  messageId: string;
  /** The EHLO name of the sender: which process sent it (SMTP_URL ?name=...). */
  sender: string;
}

/** RFC 2047 encoded words (nodemailer Q-encodes subjects with quotes), decoded. */
const decodeWords = (value: string) =>
  value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_m, text: string) =>
    Buffer.from(
      text
        .replace(/_/g, ' ')
        .replace(/=([0-9A-F]{2})/gi, (_h, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8'),
  );

/**
 * An in-process SMTP server that keeps what it receives. `rejectNext(address, n)` makes the next n
 * deliveries to an address fail (451, a temporary refusal). `holdNext()` makes the next message be
 * stored and then not acknowledged (no 250) until the sender goes away: the window in which a
 * relay dies after the receiver has the message but before it marked the row SENT.
 */
export async function startSmtpSink() {
  const received: SinkMessage[] = [];
  const rejections = new Map<string, number>();
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
        const to = session.envelope.rcptTo.map((r) => r.address);
        const left = rejections.get(to[0]) ?? 0;
        if (left > 0) {
          rejections.set(to[0], left - 1);
          const error = Object.assign(new Error('Mailbox busy, try again later'), {
            responseCode: 451,
          });
          return callback(error);
        }
        const message = {
          to,
          subject: decodeWords(/^Subject: (.*)$/m.exec(headers)?.[1] ?? ''),
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
  const { port } = smtp.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    urlFor: (sender: string) => `smtp://127.0.0.1:${port}/?name=${sender}`,
    received,
    rejectNext: (address: string, n: number) => rejections.set(address, n),
    /** Resolves with the next message, which the sink then keeps unacknowledged. */
    holdNext: () => new Promise<SinkMessage>((resolve) => (hold = resolve)),
    cancelHold: () => (hold = null),
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;
