/**
 * Issue 29 #2: every report write finds and locks its report through one helper
 * (services/locks.ts lockVisibleReport), which matches the id lower-cased, as the shield gates'
 * loaders key it; addReportItems used to run its own copy without the lower-casing. PostgreSQL
 * reads a uuid in either case, so in SQL the two answered alike; what fails here is a write that
 * compares or keys the raw id in JavaScript (a loader, a gate decision): an id in upper case must
 * name the same report for every write, and an invisible one stay NOT_FOUND.
 */
import {
  TestAddReportItemsCountedDocument,
  TestRemoveReportItemsDocument,
  TestUpdateReportDocument,
} from '../generated/graphql';
import { Role, type Account, type Report, type ReportingItem, type User } from '../../src/entities';
import { useTestServer } from '../helpers/test-server';

const { server, f } = useTestServer();
let client: Account;
let editor: User;
let report: Report;
let foreignReport: Report;
let item: ReportingItem;

beforeAll(async () => {
  const agency = await f.agency();
  client = await f.client(agency);
  editor = await f.member(agency, Role.ADMIN);
  report = await f.report(client, { createdById: editor.id });
  item = await f.item(client);
  const other = await f.client(await f.agency());
  foreignReport = await f.report(other);
});

const upper = (id: string) => id.toUpperCase();

describe('a report id in upper case names the same report for every write', () => {
  it('addReportItems, updateReport and removeReportItems change the report it names', async () => {
    const added = await server.op(
      TestAddReportItemsCountedDocument,
      { input: { reportId: upper(report.id), itemIds: [upper(item.id)] } },
      editor,
    );
    expect(added.errors).toBeUndefined();
    expect(added.data!.addReportItems.userErrors).toEqual([]);
    expect(added.data!.addReportItems.report).toEqual({
      id: report.id,
      items: { totalCount: 1, nodes: [{ id: item.id }] },
    });

    const renamed = await server.op(
      TestUpdateReportDocument,
      { input: { reportId: upper(report.id), name: 'Renamed by upper-case id' } },
      editor,
    );
    expect(renamed.errors).toBeUndefined();
    expect(renamed.data!.updateReport.userErrors).toEqual([]);
    expect(renamed.data!.updateReport.report).toMatchObject({
      id: report.id,
      name: 'Renamed by upper-case id',
    });

    const removed = await server.op(
      TestRemoveReportItemsDocument,
      { input: { reportId: upper(report.id), itemIds: [upper(item.id)] } },
      editor,
    );
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.removeReportItems.userErrors).toEqual([]);
    expect(removed.data!.removeReportItems.report).toEqual({
      id: report.id,
      items: { totalCount: 0, nodes: [] },
    });
    const [row]: { name: string; items: number }[] = await server.db.query(
      `SELECT r.name, (SELECT COUNT(*)::int FROM report_items ri WHERE ri.report_id = r.id) AS items
         FROM reports r WHERE r.id = $1`,
      [report.id],
    );
    expect(row).toEqual({ name: 'Renamed by upper-case id', items: 0 });
  });

  it('an invisible report is NOT_FOUND in upper case too; staff, who see it, change it', async () => {
    const staff = await f.staff();
    const viewer = await f.member(client, Role.ADMIN);
    const other = await server.op(
      TestAddReportItemsCountedDocument,
      { input: { reportId: upper(foreignReport.id), itemIds: [upper(item.id)] } },
      viewer,
    );
    // The gate lets an invisible report through (the service answers NOT_FOUND, A3).
    expect(other.errors).toBeUndefined();
    expect(
      other.data!.addReportItems.userErrors.map(({ code, field }) => ({ code, field })),
    ).toEqual([{ code: 'NOT_FOUND', field: ['input', 'reportId'] }]);
    expect(other.data!.addReportItems.report).toBeNull();
    const byStaff = await server.op(
      TestUpdateReportDocument,
      { input: { reportId: upper(foreignReport.id), name: 'Renamed by staff' } },
      staff,
    );
    expect(byStaff.errors).toBeUndefined();
    expect(byStaff.data!.updateReport.userErrors).toEqual([]);
    expect(byStaff.data!.updateReport.report?.id).toBe(foreignReport.id);
  });
});
