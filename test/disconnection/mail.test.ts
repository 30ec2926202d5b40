import { Like } from 'typeorm';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ClientAccessMode,
  EmailOutbox,
  OutboxStatus,
  Role,
  type Account,
  type User,
} from '../../src/entities';
import { messageIdOf, startMailRelay, type MailRelay } from '../../src/mail/mail-relay';
import { factories, type Factories } from '../helpers/factories';
import { pgOnly } from '../helpers/requirements';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { agencyWithStaff, call, ops, premiumWithStaff } from './helpers';

let smtp: SmtpSink;
let server: TestServer;
let f: Factories;
let relay: MailRelay;

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ SMTP_URL: smtp.url });
  f = factories(server.db);
  // Driven by hand (runOnce) so each test states when delivery happens; a background relay is
  // tested below.
  relay = startMailRelay({
    db: server.db,
    env: server.database.env,
    autoStart: false,
    backoffBaseMs: 20,
    maxAttempts: 3,
  });
});
afterAll(async () => {
  await relay.stop();
  await server.stop();
  await smtp.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const deliverAll = async () => {
  for (let round = 0; round < 20; round += 1) {
    const pending = await server.db
      .getRepository(EmailOutbox)
      .countBy({ status: OutboxStatus.PENDING });
    if (pending === 0) return;
    await relay.runOnce();
    await sleep(30);
  }
};
const receivedFor = (account: Account) =>
  smtp.received.filter((m) => m.subject.includes(account.name));

async function clientWorld() {
  const a = await agencyWithStaff(f);
  const secondAdmin = await f.member(a.agency, Role.ADMIN);
  const client = await f.client(a.agency, { clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY });
  await f.member(client, Role.VIEW_ONLY);
  await f.report(client);
  return { a, secondAdmin, client };
}

describe('R19: one email per admin per disconnection, after commit', () => {
  it('a client disconnection mails each agency ADMIN exactly once, with a deterministic Message-ID', async () => {
    const w = await clientWorld();
    const result = await call(server, ops.disconnectClient, { id: w.client.id }, w.a.manager);
    expect(result.userErrors).toEqual([]);
    await deliverAll();
    await relay.runOnce();
    const mails = receivedFor(w.client);
    expect(mails.map((m) => m.to[0]).sort()).toEqual([w.a.admin.email, w.secondAdmin.email].sort());
    const rows = await server.db.getRepository(EmailOutbox).findBy({ subject: mails[0].subject });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      [OutboxStatus.SENT, 1],
      [OutboxStatus.SENT, 1],
    ]);
    expect(mails.map((m) => m.messageId).sort()).toEqual(rows.map((r) => messageIdOf(r.id)).sort());
    for (const row of rows) expect(row.sentAt).toBeInstanceOf(Date);

    // I4: a repeated disconnection sends nothing more
    await call(server, ops.disconnectClient, { id: w.client.id }, w.a.manager);
    await deliverAll();
    expect(receivedFor(w.client)).toHaveLength(2);
  });

  it('an agency disconnection mails the ADMINs of both sides', async () => {
    const a = await agencyWithStaff(f);
    const p = await premiumWithStaff(f);
    const connection = await f.connection(a.agency, p.premium);
    await call(server, ops.disconnectAgency, { id: connection.id }, p.manager);
    await deliverAll();
    expect(
      receivedFor(p.premium)
        .map((m) => m.to[0])
        .sort(),
    ).toEqual([a.admin.email, p.admin.email].sort());
  });

  it('a rolled-back disconnection (the preview runs it and rolls back) sends nothing', async () => {
    const w = await clientWorld();
    const preview = await call(server, ops.disconnectClientPreview, { id: w.client.id }, w.a.admin);
    expect(preview.reportsToArchive).toBe(1);
    await deliverAll();
    expect(receivedFor(w.client)).toEqual([]);
    expect(
      await server.db
        .getRepository(EmailOutbox)
        .countBy({ dedupeKey: Like(`disconnect-client:${w.client.id}:%`) }),
    ).toBe(0);
  });

  it('a refused delivery is retried with backoff until the SMTP server takes it', async () => {
    const w = await clientWorld();
    smtp.rejectNext(w.a.admin.email, 2);
    await call(server, ops.disconnectClient, { id: w.client.id }, w.a.admin);
    await relay.runOnce();
    const row = () =>
      server.db
        .getRepository(EmailOutbox)
        .findOneByOrFail({ toAddress: w.a.admin.email, status: OutboxStatus.PENDING });
    const afterFirst = await row();
    expect(afterFirst.attempts).toBe(1);
    expect(afterFirst.lastError).toContain('try again later');
    expect(afterFirst.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() - 1000);
    await deliverAll();
    const toAdmin = receivedFor(w.client).filter((m) => m.to[0] === w.a.admin.email);
    expect(toAdmin).toHaveLength(1);
    const sent = await server.db.getRepository(EmailOutbox).findOneByOrFail({ id: afterFirst.id });
    expect(sent).toMatchObject({ status: OutboxStatus.SENT, attempts: 3 });
    expect(toAdmin[0].messageId).toBe(messageIdOf(sent.id));
  });

  it('gives up after the maximum number of attempts: FAILED with the last error', async () => {
    const w = await clientWorld();
    smtp.rejectNext(w.secondAdmin.email, 100);
    await call(server, ops.disconnectClient, { id: w.client.id }, w.a.admin);
    await deliverAll();
    const failed = await server.db
      .getRepository(EmailOutbox)
      .findOneByOrFail({ toAddress: w.secondAdmin.email });
    expect(failed).toMatchObject({ status: OutboxStatus.FAILED, attempts: 3 });
    expect(failed.lastError).toContain('try again later');
    smtp.rejectNext(w.secondAdmin.email, 0);
    await relay.runOnce();
    expect(receivedFor(w.client).map((m) => m.to[0])).toEqual([w.a.admin.email]);
  });
});

describe('without SMTP_URL mail is written as .eml files under DATA_DIR/mail', () => {
  it('writes one file per row, named by the row id', async () => {
    const dataDir = path.join(tmpdir(), `handover-mail-${Date.now()}`);
    const fileRelay = startMailRelay({
      db: server.db,
      env: {
        SMTP_URL: undefined,
        MAIL_FROM: 'Handover <no-reply@handover.local>',
        DATA_DIR: dataDir,
      },
      autoStart: false,
    });
    try {
      const w = await clientWorld();
      smtp.received.length = 0;
      // queue rows only: disconnect, then let the file relay take them before the SMTP relay
      await call(server, ops.disconnectClient, { id: w.client.id }, w.a.admin);
      await fileRelay.runOnce();
      const files = (await readdir(path.join(dataDir, 'mail'))).sort();
      const rows = await server.db.getRepository(EmailOutbox).find({
        where: { status: OutboxStatus.SENT },
      });
      const mine = rows.filter((r) => r.subject.includes(w.client.name));
      expect(files).toEqual(mine.map((r) => `${r.id}.eml`).sort());
      const eml = await readFile(path.join(dataDir, 'mail', files[0]), 'utf8');
      expect(eml).toContain(`Message-ID: ${messageIdOf(files[0].replace('.eml', ''))}`);
      expect(eml).toContain(w.client.name);
    } finally {
      await fileRelay.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

// Background relays polling next to API traffic need real connection concurrency.
pgOnly('relays running in the background', () => {
  it('two relays side by side deliver every row exactly once within seconds (SKIP LOCKED)', async () => {
    const relays = [1, 2].map(() =>
      startMailRelay({ db: server.db, env: server.database.env, pollMs: 50, batchSize: 1 }),
    );
    try {
      const worlds: Awaited<ReturnType<typeof clientWorld>>[] = [];
      for (let i = 0; i < 5; i += 1) worlds.push(await clientWorld());
      await Promise.all(
        worlds.map((w) => call(server, ops.disconnectClient, { id: w.client.id }, w.a.admin)),
      );
      const deadline = Date.now() + 10_000;
      const expected = worlds.length * 2;
      const count = () => worlds.flatMap((w) => receivedFor(w.client)).length;
      while (count() < expected && Date.now() < deadline) await sleep(50);
      await sleep(300);
      expect(count()).toBe(expected);
      const ids = worlds.flatMap((w) => receivedFor(w.client).map((m) => m.messageId));
      expect(new Set(ids).size).toBe(expected);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
  });
});

export type { User };
