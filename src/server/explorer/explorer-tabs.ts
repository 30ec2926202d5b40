import fs from 'node:fs';
import path from 'node:path';

/** A GraphiQL tab preloaded in the explorer. */
export interface ExplorerTab {
  query: string;
  variables?: string;
  headers?: string;
}

export const PLACEHOLDER_HEADERS = JSON.stringify(
  // The client header lets the explorer send documents where TRUSTED_DOCUMENTS=require.
  { Authorization: 'Bearer <paste a demo token>', 'x-handover-client': 'explorer' },
  null,
  2,
);

/**
 * The example operations opened as tabs, in order. They are the files under
 * examples/operations/ — the same ones test/examples/examples.test.ts runs against a seeded world,
 * so a tab can never show a stale operation.
 */
type Variables = Record<string, unknown>;
const TABS: { file: string; variables?: Variables | (() => Variables) }[] = [
  { file: 'Viewer.graphql' },
  { file: 'ReportsPage.graphql', variables: { archived: false, first: 20 } },
  { file: 'ArchivedReports.graphql', variables: { first: 50 } },
  { file: 'ReportDetail.graphql', variables: { id: '<a report id from ReportsPage>' } },
  { file: 'Accounts.graphql', variables: { type: 'CLIENT', archived: false } },
  {
    file: 'DisconnectClientPreview.graphql',
    variables: { clientAccountId: '<a CLIENT account id from Accounts>' },
  },
  {
    file: 'DisconnectClientsPreview.graphql',
    variables: { clientAccountIds: ['<CLIENT account ids from Accounts>'] },
  },
  {
    file: 'ScheduleDisconnection.graphql',
    // A valid moment when the tab is opened: 30 days ahead.
    variables: () => ({
      input: {
        clientAccountId: '<a CLIENT account id from Accounts>',
        runAt: new Date(Date.now() + 30 * 24 * 3600_000).toISOString(),
      },
    }),
  },
  {
    file: 'ExplainAccess.graphql',
    variables: { userId: '<a user id>', accountId: '<an account id from Accounts>' },
  },
  {
    file: 'AccessReview.graphql',
    variables: { accountId: '<an account id you are an ADMIN of>', first: 20 },
  },
];

/** src/server/explorer and dist/server/explorer are both three levels below the repo root. */
const OPERATIONS_DIR = path.resolve(__dirname, '../../../examples/operations');

const FALLBACK_QUERY =
  '# Welcome to the Handover API explorer.\nquery Viewer {\n  viewer {\n    id\n    email\n    name\n  }\n}\n';

export function explorerTabs(dir = OPERATIONS_DIR): ExplorerTab[] {
  const tabs: ExplorerTab[] = [];
  for (const tab of TABS) {
    const file = path.join(dir, tab.file);
    if (!fs.existsSync(file)) continue;
    tabs.push({
      query: fs.readFileSync(file, 'utf8'),
      variables: tab.variables
        ? JSON.stringify(
            typeof tab.variables === 'function' ? tab.variables() : tab.variables,
            null,
            2,
          )
        : undefined,
      headers: PLACEHOLDER_HEADERS,
    });
  }
  if (tabs.length === 0) tabs.push({ query: FALLBACK_QUERY, headers: PLACEHOLDER_HEADERS });
  return tabs;
}
