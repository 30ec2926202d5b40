import { Report, ReportVisibility, Role } from '../../src/entities';
import {
  TestAuditActionsDocument,
  TestDeleteReportDocument,
  TestRemoveReportItemsDocument,
  TestReportIdsDocument,
  TestShareReportDocument,
  TestUnshareReportDocument,
  TestUpdateReportDocument,
} from '../generated/graphql';
import { type As, useTestServer } from '../helpers/test-server';

/** R25, R27: reports shared, unshared, renamed, made RESTRICTED, trimmed and deleted. */
const { server, f } = useTestServer();

const codes = (r: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  (r.errors ?? []).map((e) => e.extensions?.code);

const reportIds = async (as: As, archived = false) =>
  ((await server.op(TestReportIdsDocument, { archived }, as)).data?.reports.nodes ?? []).map(
    (r) => r.id,
  );

async function world() {
  const agency = await f.agency();
  const admin = await f.member(agency, Role.ADMIN);
  const creator = await f.member(agency, Role.REGULAR);
  const colleague = await f.member(agency, Role.REGULAR);
  const client = await f.client(agency);
  const items = [await f.item(client), await f.item(client)];
  const restricted = await f.report(client, {
    items,
    visibility: ReportVisibility.RESTRICTED,
    createdById: creator.id,
  });
  const open = await f.report(client, { items, createdById: creator.id });
  const outsider = await f.member(await f.agency(), Role.ADMIN);
  return { agency, admin, creator, colleague, client, items, restricted, open, outsider };
}

describe('R25: sharing', () => {
  it('the creator shares a RESTRICTED report; the user sees it next request, and loses it when unshared', async () => {
    const w = await world();
    expect(await reportIds(w.colleague)).toEqual([w.open.id]);
    const shared = await server.op(
      TestShareReportDocument,
      { input: { reportId: w.restricted.id, userIds: [w.colleague.id] } },
      w.creator,
    );
    expect(shared.data!.shareReport).toEqual({ report: { id: w.restricted.id }, userErrors: [] });
    expect((await reportIds(w.colleague)).sort()).toEqual([w.open.id, w.restricted.id].sort());
    const unshared = await server.op(
      TestUnshareReportDocument,
      { input: { reportId: w.restricted.id, userIds: [w.colleague.id] } },
      w.admin,
    );
    expect(unshared.data!.unshareReport.userErrors).toEqual([]);
    expect(await reportIds(w.colleague)).toEqual([w.open.id]);
    const audit = await server.op(TestAuditActionsDocument, { accountId: w.client.id }, w.admin);
    expect(audit.data!.auditEvents.nodes.map((e) => e.action).slice(0, 2)).toEqual([
      'REPORT_UNSHARED',
      'REPORT_SHARED',
    ]);
  });

  it('sharing with a user who does not reach the account is INVALID_INPUT naming userIds', async () => {
    const w = await world();
    const refused = await server.op(
      TestShareReportDocument,
      { input: { reportId: w.restricted.id, userIds: [w.outsider.id] } },
      w.creator,
    );
    expect(refused.data!.shareReport).toEqual({
      report: null,
      userErrors: [{ code: 'INVALID_INPUT', field: ['input', 'userIds'] }],
    });
    expect(await reportIds(w.outsider)).toEqual([]);
  });

  it('only the creator or an ADMIN may: a colleague is FORBIDDEN, an outsider NOT_FOUND', async () => {
    const w = await world();
    const input = { input: { reportId: w.open.id, userIds: [w.colleague.id] } };
    expect(codes(await server.op(TestShareReportDocument, input, w.colleague))).toEqual([
      'FORBIDDEN',
    ]);
    expect(
      (await server.op(TestShareReportDocument, input, w.outsider)).data!.shareReport.userErrors,
    ).toEqual([{ code: 'NOT_FOUND', field: ['input', 'reportId'] }]);
  });
});

describe('R25: updateReport', () => {
  it('renames, and making a report RESTRICTED takes it from everyone but creator, admins and shares', async () => {
    const w = await world();
    const renamed = await server.op(
      TestUpdateReportDocument,
      {
        input: {
          reportId: w.open.id,
          name: '  Q3 brand lift  ',
          visibility: ReportVisibility.RESTRICTED,
        },
      },
      w.admin,
    );
    expect(renamed.data!.updateReport).toEqual({
      report: { id: w.open.id, name: 'Q3 brand lift', visibility: 'RESTRICTED' },
      userErrors: [],
    });
    expect(await reportIds(w.colleague)).toEqual([]);
    expect((await reportIds(w.creator)).sort()).toEqual([w.open.id, w.restricted.id].sort());
  });

  it('an empty change or an empty name is INVALID_INPUT; nothing changes', async () => {
    const w = await world();
    const none = await server.op(
      TestUpdateReportDocument,
      { input: { reportId: w.open.id } },
      w.creator,
    );
    expect(none.data!.updateReport.userErrors).toEqual([
      { code: 'INVALID_INPUT', field: ['input'] },
    ]);
    const blank = await server.op(
      TestUpdateReportDocument,
      { input: { reportId: w.open.id, name: '   ' } },
      w.creator,
    );
    expect(blank.data!.updateReport.userErrors).toEqual([
      { code: 'INVALID_INPUT', field: ['input', 'name'] },
    ]);
    expect((await server.db.getRepository(Report).findOneByOrFail({ id: w.open.id })).name).toBe(
      w.open.name,
    );
  });

  it('an archived report changes in no way: REPORT_ARCHIVED for every edit', async () => {
    const w = await world();
    const archived = await f.report(w.client, { snapshot: [w.creator], createdById: w.creator.id });
    const input = { reportId: archived.id };
    const answers = [
      (await server.op(TestUpdateReportDocument, { input: { ...input, name: 'x' } }, w.creator))
        .data!.updateReport.userErrors,
      (
        await server.op(
          TestShareReportDocument,
          { input: { ...input, userIds: [w.creator.id] } },
          w.creator,
        )
      ).data!.shareReport.userErrors,
      (
        await server.op(
          TestRemoveReportItemsDocument,
          { input: { ...input, itemIds: [w.items[0].id] } },
          w.creator,
        )
      ).data!.removeReportItems.userErrors,
    ];
    expect(answers).toEqual([
      [{ code: 'REPORT_ARCHIVED', field: ['input', 'reportId'] }],
      [{ code: 'REPORT_ARCHIVED', field: ['input', 'reportId'] }],
      [{ code: 'REPORT_ARCHIVED', field: ['input', 'reportId'] }],
    ]);
    const deleted = await server.op(TestDeleteReportDocument, { reportId: archived.id }, w.creator);
    expect(deleted.data!.deleteReport).toEqual({
      deletedReportId: null,
      userErrors: [{ code: 'REPORT_ARCHIVED', field: ['reportId'] }],
    });
    expect(await server.db.getRepository(Report).countBy({ id: archived.id })).toBe(1);
  });
});

describe('R25: removeReportItems and deleteReport', () => {
  it('removes items from the report (they stay on the account); an id not in the report is INVALID_INPUT', async () => {
    const w = await world();
    const trimmed = await server.op(
      TestRemoveReportItemsDocument,
      { input: { reportId: w.open.id, itemIds: [w.items[0].id] } },
      w.creator,
    );
    expect(trimmed.errors).toBeUndefined();
    expect(trimmed.data!.removeReportItems.userErrors).toEqual([]);
    expect(trimmed.data!.removeReportItems.report!.items).toEqual({
      totalCount: 1,
      nodes: [{ id: w.items[1].id }],
    });
    const stranger = await f.item(w.client);
    const refused = await server.op(
      TestRemoveReportItemsDocument,
      { input: { reportId: w.open.id, itemIds: [w.items[1].id, stranger.id] } },
      w.creator,
    );
    expect(refused.data!.removeReportItems.userErrors).toEqual([
      { code: 'INVALID_INPUT', field: ['input', 'itemIds'] },
    ]);
    const [{ count }] = await server.db.query(
      `SELECT count(*)::int AS count FROM report_items WHERE report_id = $1`,
      [w.open.id],
    );
    expect(count).toBe(1);
  });

  it('deletes an ACTIVE report for the creator; it is gone for everyone, the audit log keeps its name', async () => {
    const w = await world();
    const deleted = await server.op(TestDeleteReportDocument, { reportId: w.open.id }, w.creator);
    expect(deleted.data!.deleteReport).toEqual({ deletedReportId: w.open.id, userErrors: [] });
    expect(await reportIds(w.admin)).toEqual([w.restricted.id]);
    const audit = await server.op(TestAuditActionsDocument, { accountId: w.client.id }, w.admin);
    const event = audit.data!.auditEvents.nodes.find((e) => e.action === 'REPORT_DELETED');
    expect(JSON.parse(event!.details)).toEqual({ reportId: w.open.id, name: w.open.name });
    const again = await server.op(TestDeleteReportDocument, { reportId: w.open.id }, w.creator);
    expect(again.data!.deleteReport.userErrors).toEqual([
      { code: 'NOT_FOUND', field: ['reportId'] },
    ]);
  });
});
