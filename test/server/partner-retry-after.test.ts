import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { exportArchivedReports } from '../../examples/partner/export-archived-reports';
import { Account, User } from '../../src/entities';
import { operationCost } from '../../src/ops/query-cost';
import { buildServedSchema } from '../../src/schema/build-schema';
import { seedDemoWorldIfEmpty } from '../../src/seed/demo-world';
import { authorityOps as M } from '../helpers/authority-operations';
import { factories } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** The partner script waits as long as Retry-After says when its token's budget is spent. */
const operationsDir = path.resolve(__dirname, '../../examples/operations');
const costOf = (file: string, variables: Record<string, unknown>) => {
  const document = parse(fs.readFileSync(path.join(operationsDir, file), 'utf8'));
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  return operationCost(buildServedSchema(), document, operation, variables);
};

let server: TestServer;
let outDir: string;
let token: string;
const names = ['Globex archived one', 'Globex archived two', 'Globex archived three'];

beforeAll(async () => {
  // A budget of one page listing plus one export per window: the second export must wait.
  const budget =
    costOf('ArchivedReports.graphql', { first: 50 }) + costOf('ExportReport.graphql', {});
  server = await startTestServer({
    RATE_LIMIT: 'on',
    RATE_LIMIT_TOKEN_POINTS: String(budget),
    RATE_LIMIT_WINDOW_SECONDS: '1',
  });
  await seedDemoWorldIfEmpty(server.db, server.database.env);
  const admin = await server.db
    .getRepository(User)
    .findOneByOrFail({ email: 'admin@northwind.example' });
  const globex = await server.db.getRepository(Account).findOneByOrFail({ name: 'Globex' });
  const f = factories(server.db);
  for (const name of names) await f.report(globex, { name, snapshot: [admin] });
  const made = await server.op(
    M.createToken,
    { input: { accountId: globex.id, name: 'partner' } },
    admin,
  );
  token = made.data!.createApiToken.token!;
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-partner-429-'));
});
afterAll(async () => {
  await server.stop();
  fs.rmSync(outDir, { recursive: true, force: true });
});

it('honours Retry-After on HTTP 429 and still exports every archived report', async () => {
  const lines: string[] = [];
  const summary = await exportArchivedReports({
    url: server.url,
    token,
    outDir,
    log: (line) => lines.push(line),
  });
  expect(summary.failed).toEqual([]);
  expect(summary.written).toHaveLength(names.length);
  expect(
    lines.filter((line) => /^Rate limited \(HTTP 429\): waiting 1 s/.test(line)).length,
  ).toBeGreaterThanOrEqual(1);
});
