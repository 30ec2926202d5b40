import { ConnectionStatus, Role } from '../../src/entities';
import { authorityOps as M } from '../helpers/authority-operations';
import { factories, type Factories } from '../helpers/factories';
import { pgOnly } from '../helpers/requirements';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * R1 under a double answer: two ADMINs of a premium client answer one PENDING request at the same
 * moment, one accepting and one declining. Exactly one wins; the other gets INVALID_STATE, as for
 * any request that is no longer PENDING — never INTERNAL_SERVER_ERROR (a deadlock used to reach
 * users here). PostgreSQL only: the embedded database runs one transaction at a time.
 */

pgOnly('two admins answering one request at once', () => {
  let server: TestServer;
  let f: Factories;
  beforeAll(async () => {
    server = await startTestServer();
    f = factories(server.db);
  });
  afterAll(() => server.stop());

  it('50 accept/decline pairs: one wins, the loser gets INVALID_STATE every time', async () => {
    const premium = await f.premium();
    const [first, second] = [
      await f.member(premium, Role.ADMIN),
      await f.member(premium, Role.ADMIN),
    ];
    const outcomes: string[] = [];
    for (let pair = 0; pair < 50; pair += 1) {
      const agency = await f.agency();
      const connection = await f.connection(agency, premium, {
        status: ConnectionStatus.PENDING,
        respondedAt: null,
      });
      const [accepted, declined] = await Promise.all([
        server.op(M.accept, { id: connection.id }, first),
        server.op(M.decline, { id: connection.id }, second),
      ]);
      expect(accepted.errors).toBeUndefined();
      expect(declined.errors).toBeUndefined();
      const a = accepted.data!.acceptConnection;
      const d = declined.data!.declineConnection;
      const codes = [...a.userErrors, ...d.userErrors].map((e: { code: string }) => e.code);
      expect(codes).toEqual(['INVALID_STATE']);
      const winner = a.connection ? 'accept' : 'decline';
      const [row] = await server.db.query(`SELECT status FROM agency_connections WHERE id = $1`, [
        connection.id,
      ]);
      expect(row.status).toBe(winner === 'accept' ? 'ACTIVE' : 'DECLINED');
      outcomes.push(winner);
    }
    expect(outcomes).toHaveLength(50);
  });
});
