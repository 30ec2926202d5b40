/**
 * Read statements run prepared (src/database/raw-sql.ts), outside transactions and inside them.
 * A table changed under a prepared `SELECT *` — a migration while the server runs — makes
 * PostgreSQL refuse the old plan once; the request that meets it must still get its answer: a
 * list page at once, a preview and a disconnection by running their transaction again.
 */
import { Role, type Account, type User } from '../../src/entities';
import { factories } from '../helpers/factories';
import { startTestServer, useTestServer } from '../helpers/test-server';
import {
  PreparedDisconnectClientDocument,
  PreparedDisconnectClientPreviewDocument,
  PreparedReportsPageDocument,
} from '../generated/graphql';

const { server } = useTestServer();
let manager: User;
let client: Account;

beforeAll(async () => {
  const f = factories(server.db);
  const agency = await f.agency();
  manager = await f.member(agency, Role.ACCOUNT_MANAGER);
  client = await f.client(agency);
  for (let r = 0; r < 3; r++) await f.report(client, { createdById: manager.id });
});

const PAGE = PreparedReportsPageDocument;
const PREVIEW = PreparedDisconnectClientPreviewDocument;
const DISCONNECT = PreparedDisconnectClientDocument;

/** Runs `work` with a column added to the tables the statements read with `*`. */
async function withTablesChanged<T>(work: () => Promise<T>): Promise<T> {
  const alter = (change: string) =>
    server.db.query(`ALTER TABLE reports ${change}; ALTER TABLE users ${change}`);
  await alter('ADD COLUMN migration_probe integer');
  try {
    return await work();
  } finally {
    await alter('DROP COLUMN migration_probe');
  }
}

describe('prepared statements under a changed table', () => {
  it('a list page answers as before', async () => {
    const before = await server.op(PAGE, {}, manager);
    expect(before.errors).toBeUndefined();
    expect(before.data!.reports.totalCount).toBe(3);
    const after = await withTablesChanged(() => server.op(PAGE, {}, manager));
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual(before.data);
    const again = await server.op(PAGE, {}, manager);
    expect(again.data).toEqual(before.data);
  });

  it('a preview and then the disconnection answer as before (their transactions run again)', async () => {
    const before = await server.op(PREVIEW, { id: client.id }, manager);
    expect(before.errors).toBeUndefined();
    expect(before.data!.disconnectClientPreview.reportsToArchive).toBe(3);
    expect(before.data!.disconnectClientPreview.usersLosingAccess).toEqual([{ id: manager.id }]);
    const preview = await withTablesChanged(() => server.op(PREVIEW, { id: client.id }, manager));
    expect(preview.errors).toBeUndefined();
    expect(preview.data).toEqual(before.data);
    const disconnected = await withTablesChanged(() =>
      server.op(DISCONNECT, { id: client.id }, manager),
    );
    expect(disconnected.errors).toBeUndefined();
    expect(disconnected.data!.disconnectClient).toEqual({
      account: { id: client.id, status: 'ARCHIVED' },
      impact: { reportsToArchive: 3, usersLosingAccess: [{ id: manager.id }] },
      userErrors: [],
    });
  });
});

describe('DB_PREPARED_STATEMENTS', () => {
  /** The statements the server's one pooled connection holds prepared, after one page. */
  async function preparedAfterAPage(overrides: Record<string, string>) {
    const other = await startTestServer({ DB_POOL_SIZE: '1', ...overrides });
    try {
      const f = factories(other.db);
      const agency = await f.agency();
      const user = await f.member(agency, Role.ADMIN);
      await f.report(await f.client(agency), { createdById: user.id });
      const page = await other.op(PAGE, {}, user);
      expect(page.errors).toBeUndefined();
      expect(page.data!.reports.totalCount).toBe(1);
      const rows: { statement: string }[] = await other.db.query(
        `SELECT statement FROM pg_prepared_statements ORDER BY statement`,
      );
      return rows.map((row) => row.statement);
    } finally {
      await other.stop();
    }
  }

  it('on (the default): authentication and the page run as prepared statements', async () => {
    const statements = await preparedAfterAPage({});
    expect(statements).toContain('SELECT * FROM users WHERE id = $1 AND active');
    expect(statements.filter((text) => text.includes('FROM reports r'))).toHaveLength(1);
  });

  it('off: the same answers, nothing prepared', async () => {
    expect(await preparedAfterAPage({ DB_PREPARED_STATEMENTS: 'false' })).toEqual([]);
  });
});
