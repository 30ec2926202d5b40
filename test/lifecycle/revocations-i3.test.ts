import { ClientAccessMode, ReportVisibility, Role, type User } from '../../src/entities';
import {
  TestDeactivateUserDocument,
  TestReportIdsDocument,
  TestUnshareReportDocument,
  TestUpdateReportDocument,
} from '../generated/graphql';
import { authorityOps as M } from '../helpers/authority-operations';
import { type As, useTestServer } from '../helpers/test-server';

/**
 * I3 for every revocation of R24–R27: while the affected user reads in a loop, the revoking
 * mutation runs; no read that *started* after the mutation returned may see what it revoked.
 * (Reads that started before may still see it — they raced the change.)
 */
const { server, f } = useTestServer();

const reportIds = async (as: As) =>
  ((await server.op(TestReportIdsDocument, { archived: false }, as)).data?.reports.nodes ?? []).map(
    (r) => r.id,
  );

/** Runs `revoke` amid a stream of reads by `reader`; returns the ids read after it returned. */
async function readsAfter(reader: As, revoke: () => Promise<unknown>): Promise<string[][]> {
  const reads: { startedAt: number; ids: string[] }[] = [];
  let stop = false;
  const stream = (async () => {
    while (!stop) {
      const startedAt = performance.now();
      try {
        reads.push({ startedAt, ids: await reportIds(reader) });
      } catch {
        reads.push({ startedAt, ids: [] });
      }
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 30));
  await revoke();
  const returnedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 120));
  stop = true;
  await stream;
  const after = reads.filter((r) => r.startedAt > returnedAt).map((r) => r.ids);
  expect(after.length).toBeGreaterThan(0);
  return after;
}

async function world() {
  const agency = await f.agency();
  const admin = await f.member(agency, Role.ADMIN);
  const reader = await f.member(agency, Role.REGULAR);
  const client = await f.client(agency, { clientAccess: ClientAccessMode.EVERYONE_IN_AGENCY });
  return { agency, admin, reader, client };
}

it('unshareReport: a RESTRICTED report is gone for the unshared user', async () => {
  const w = await world();
  const report = await f.report(w.client, {
    visibility: ReportVisibility.RESTRICTED,
    createdById: w.admin.id,
    sharedWith: [w.reader],
  });
  expect(await reportIds(w.reader)).toEqual([report.id]);
  const after = await readsAfter(w.reader, () =>
    server.op(
      TestUnshareReportDocument,
      { input: { reportId: report.id, userIds: [w.reader.id] } },
      w.admin,
    ),
  );
  expect(after.filter((ids) => ids.includes(report.id))).toEqual([]);
});

it('updateReport to RESTRICTED: the report is gone for users neither creator, admin nor shared', async () => {
  const w = await world();
  const report = await f.report(w.client, { createdById: w.admin.id });
  expect(await reportIds(w.reader)).toEqual([report.id]);
  const after = await readsAfter(w.reader, () =>
    server.op(
      TestUpdateReportDocument,
      { input: { reportId: report.id, visibility: ReportVisibility.RESTRICTED } },
      w.admin,
    ),
  );
  expect(after.filter((ids) => ids.includes(report.id))).toEqual([]);
});

it('setConnectionAccess to SELECTED_USERS: an unselected agency user loses the premium client', async () => {
  const w = await world();
  const premium = await f.premium();
  const connection = await f.connection(w.agency, premium);
  const report = await f.report(premium);
  expect(await reportIds(w.reader)).toEqual([report.id]);
  const after = await readsAfter(w.reader, () =>
    server.op(
      M.setConnectionAccess,
      { input: { connectionId: connection.id, access: 'SELECTED_USERS', userIds: [] } },
      w.admin,
    ),
  );
  expect(after.filter((ids) => ids.includes(report.id))).toEqual([]);
});

it('deactivateUser: every read after it is refused (UNAUTHENTICATED), so nothing is seen', async () => {
  const w = await world();
  const report = await f.report(w.client);
  const staff: User = await f.staff();
  expect(await reportIds(w.reader)).toEqual([report.id]);
  const after = await readsAfter(w.reader, () =>
    server.op(TestDeactivateUserDocument, { userId: w.reader.id }, staff),
  );
  expect(after.filter((ids) => ids.length > 0)).toEqual([]);
  const refused = await server.op(TestReportIdsDocument, { archived: false }, w.reader);
  expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
});
