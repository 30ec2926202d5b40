/**
 * Partner example (R17, R18): downloads every archived report of an account as CSV.
 *
 *   HANDOVER_URL=http://127.0.0.1:4000 HANDOVER_TOKEN=hov_... OUT_DIR=./archived-reports \
 *     node examples/partner/dist/partner/export-archived-reports.js
 *
 * (build it first with `npx tsc -p examples/partner`). HANDOVER_TOKEN is an API token made by
 * the `createApiToken` mutation (read-only, archived reports of one account); a user JWT works
 * too. The operations are the typed documents generated from examples/operations/*.graphql, sent
 * by graphql-request.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ClientError, GraphQLClient, type Variables } from 'graphql-request';
import {
  ArchivedReportsDocument,
  ExportReportDocument,
  type ArchivedReportsQuery,
} from '../generated/graphql';

export class PartnerError extends Error {}

export interface ExportOptions {
  /** Base URL of the Handover server, e.g. http://127.0.0.1:4000 */
  url: string;
  token: string;
  outDir: string;
  /** Narrows the list for a user token; an API token is already scoped to one account. */
  accountId?: string;
  pageSize?: number;
  log?: (line: string) => void;
  /** How often one request is retried after HTTP 429 RATE_LIMITED (default 5). */
  maxRateLimitRetries?: number;
}

export interface ExportSummary {
  total: number;
  written: string[];
  failed: { reportId: string; name: string; reason: string }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * fetch for graphql-request: an unreachable server is a PartnerError, and HTTP 429 (the token's
 * query-cost budget is spent) waits Retry-After and sends the same request again.
 */
function fetchWaitingOnRateLimits(options: ExportOptions): typeof fetch {
  const retries = options.maxRateLimitRetries ?? 5;
  return async (input, init) => {
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(input, init);
      } catch (error) {
        throw new PartnerError(`Cannot reach Handover at ${options.url}: ${String(error)}`);
      }
      if (response.status !== 429 || attempt >= retries) return response;
      // Retry-After is in seconds; wait at least 1 s and at most 5 minutes.
      const seconds = Math.min(300, Math.max(1, Number(response.headers.get('retry-after')) || 1));
      (options.log ?? console.log)(`Rate limited (HTTP 429): waiting ${seconds} s as asked`);
      await response.body?.cancel();
      await sleep(seconds * 1000);
    }
  };
}

/** The partner's GraphQL client (graphql-request): the token on every request. */
function clientFor(options: ExportOptions): GraphQLClient {
  return new GraphQLClient(new URL('/graphql', options.url).toString(), {
    headers: { authorization: `Bearer ${options.token}` },
    fetch: fetchWaitingOnRateLimits(options),
  });
}

/** One typed GraphQL request; a refused token becomes a clear PartnerError. */
async function request<TResult, TVariables extends Variables>(
  client: GraphQLClient,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  try {
    // graphql-request types `variables` by the document's own; for this generic helper its
    // conditional options type cannot be resolved, so the (already typed) options are passed as is.
    return await client.request<TResult, TVariables>({ document, variables } as never);
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    const errors = error.response.errors ?? [];
    if (errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
      throw new PartnerError(
        `HANDOVER_TOKEN was refused (UNAUTHENTICATED: ${errors[0].message}). ` +
          'Ask an account ADMIN for a new API token (createApiToken).',
      );
    }
    const codeOf = (e: (typeof errors)[number]) =>
      typeof e.extensions?.code === 'string' ? e.extensions.code : 'ERROR';
    const described = errors.map((e) => `${codeOf(e)}: ${e.message}`);
    // Not fatal for the whole run when it concerns one report's export (see the loop).
    throw new Error(
      `Handover refused the request: ${described.join('; ') || `HTTP ${error.response.status}`}`,
    );
  }
}

const fileNameFor = (name: string, id: string) =>
  `${
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'report'
  }-${id}.csv`;

/** Downloads the contents of a signed export link (the token goes only to the same origin). */
async function download(options: ExportOptions, link: string): Promise<string> {
  const target = new URL(link, options.url);
  const sameOrigin = target.origin === new URL(options.url).origin;
  const response = await fetch(target, {
    headers: sameOrigin ? { authorization: `Bearer ${options.token}` } : {},
  });
  if (!response.ok) throw new Error(`download answered HTTP ${response.status}`);
  return response.text();
}

/** Pages through the archived reports and writes each as CSV into `outDir`. */
export async function exportArchivedReports(options: ExportOptions): Promise<ExportSummary> {
  const log = options.log ?? ((line: string) => console.log(line));
  fs.mkdirSync(options.outDir, { recursive: true });
  const summary: ExportSummary = { total: 0, written: [], failed: [] };
  const client = clientFor(options);
  let after: string | null | undefined = null;
  let index = 0;
  do {
    const { reports }: ArchivedReportsQuery = await request(client, ArchivedReportsDocument, {
      accountId: options.accountId,
      first: options.pageSize ?? 50,
      after,
    });
    summary.total = reports.totalCount;
    if (reports.totalCount === 0) log('No archived reports.');
    for (const report of reports.nodes) {
      index += 1;
      const prefix = `[${index}/${reports.totalCount}] ${report.name}`;
      try {
        const { exportReport } = await request(client, ExportReportDocument, {
          reportId: report.id,
          format: 'CSV',
        });
        if (exportReport.userErrors.length > 0) {
          throw new Error(exportReport.userErrors.map((e) => `${e.code}: ${e.message}`).join('; '));
        }
        const csv =
          exportReport.content ??
          (exportReport.url ? await download(options, exportReport.url) : null);
        if (csv === null) throw new Error('the export had neither content nor url');
        const file = path.join(options.outDir, fileNameFor(report.name, report.id));
        fs.writeFileSync(file, csv);
        summary.written.push(file);
        log(`${prefix} -> ${file} (${Buffer.byteLength(csv)} bytes)`);
      } catch (error) {
        if (error instanceof PartnerError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        summary.failed.push({ reportId: report.id, name: report.name, reason });
        log(`${prefix} FAILED: ${reason}`);
      }
    }
    after = reports.pageInfo.hasNextPage ? reports.pageInfo.endCursor : null;
  } while (after);
  log(`Done: ${summary.written.length} written, ${summary.failed.length} failed.`);
  return summary;
}

async function main() {
  const token = process.env.HANDOVER_TOKEN;
  if (!token) throw new PartnerError('Set HANDOVER_TOKEN to an API token (createApiToken).');
  const summary = await exportArchivedReports({
    url: process.env.HANDOVER_URL ?? 'http://127.0.0.1:4000',
    token,
    outDir: process.env.OUT_DIR ?? 'archived-reports',
    accountId: process.env.HANDOVER_ACCOUNT_ID || undefined,
  });
  if (summary.failed.length > 0) process.exitCode = 2;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof PartnerError ? error.message : error);
    process.exitCode = 1;
  });
}
