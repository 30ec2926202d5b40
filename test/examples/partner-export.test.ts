import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  exportArchivedReports,
  PartnerError,
} from '../../examples/partner/export-archived-reports';
import { Account, ApiToken, ReportingItem, User } from '../../src/entities';
import { API_TOKEN_PREFIX, hashApiToken } from '../../src/permissions/api-token-rules';
import { seedDemoWorldIfEmpty } from '../../src/seed/demo-world';
import { PartnerCreateApiTokenDocument } from '../generated/graphql';
import { factories } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** examples/partner/export-archived-reports.ts against a running server (R17, R18). */
let server: TestServer;
let admin: User;
let globex: Account;
let token: string;
let outDir: string;
const archivedNames = ['Globex winter campaign', 'Globex autumn campaign', 'Globex summer recap'];

beforeAll(async () => {
  server = await startTestServer();
  await seedDemoWorldIfEmpty(server.db, server.database.env);
  admin = await server.db.getRepository(User).findOneByOrFail({ email: 'admin@northwind.example' });
  globex = await server.db.getRepository(Account).findOneByOrFail({ name: 'Globex' });
  const items = await server.db.getRepository(ReportingItem).findBy({ accountId: globex.id });
  const f = factories(server.db);
  for (const name of archivedNames) await f.report(globex, { name, items, snapshot: [admin] });

  // A partner API token for Globex: through the API when createApiToken is there, else stored.
  const made = await server.op(PartnerCreateApiTokenDocument, { accountId: globex.id }, admin);
  token = made.data?.createApiToken?.token ?? '';
  if (!token) {
    token = `${API_TOKEN_PREFIX}${randomBytes(24).toString('hex')}`;
    await server.db.getRepository(ApiToken).insert({
      name: 'partner',
      tokenHash: hashApiToken(token),
      accountId: globex.id,
      createdById: admin.id,
    });
  }
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-partner-'));
});
afterAll(async () => {
  await server.stop();
  fs.rmSync(outDir, { recursive: true, force: true });
});

it('pages through the archived reports and writes each as CSV, one progress line each', async () => {
  const lines: string[] = [];
  const summary = await exportArchivedReports({
    url: server.url,
    token,
    outDir,
    pageSize: 2, // three reports: two pages
    log: (line) => lines.push(line),
  });
  expect(summary.failed).toEqual([]);
  expect(summary.total).toBe(archivedNames.length);
  expect(summary.written).toHaveLength(archivedNames.length);
  for (const name of archivedNames) {
    expect(lines.some((line) => line.includes(name) && line.includes('.csv'))).toBe(true);
  }
  for (const file of summary.written) {
    const csv = fs.readFileSync(file, 'utf8');
    expect(csv).toContain('Globex spring video');
  }
  expect(lines.at(-1)).toBe(`Done: ${archivedNames.length} written, 0 failed.`);
});

it('stops with a clear error for a bad token', async () => {
  const run = exportArchivedReports({
    url: server.url,
    token: `${API_TOKEN_PREFIX}not-a-real-token`,
    outDir,
    log: () => undefined,
  });
  await expect(run).rejects.toThrow(PartnerError);
  await expect(run).rejects.toThrow(/UNAUTHENTICATED/);
});
