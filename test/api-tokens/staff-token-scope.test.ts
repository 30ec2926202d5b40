import { Role } from '../../src/entities';
import { authorityOps as M } from '../helpers/authority-operations';
import { factories } from '../helpers/factories';
import { type TestServer, useTestServer } from '../helpers/test-server';

/**
 * R18: a token made by platform staff is no staff principal: it reads within its account's scope
 * and, like every token, no users (no member lists, no emails).
 */
const { server } = useTestServer();

it('node(id) of a user is null for a staff-made token, in its scope or not', async () => {
  const f = factories(server.db);
  const inScope = await f.agency();
  const outOfScope = await f.agency();
  const colleague = await f.member(inScope, Role.REGULAR);
  const stranger = await f.member(outOfScope, Role.REGULAR);
  const staff = await f.staff();
  const { token: secret } = await f.apiToken(inScope, staff, 'staff tooling');
  const node = (id: string, as: Parameters<TestServer['gql']>[2]) => server.op(M.node, { id }, as);

  expect((await node(stranger.id, staff)).data).toEqual({ node: { id: stranger.id } });
  expect((await node(stranger.id, { token: secret })).data).toEqual({ node: null });
  expect((await node(colleague.id, { token: secret })).data).toEqual({ node: null });
  expect((await node(colleague.id, staff)).data).toEqual({ node: { id: colleague.id } });
});
