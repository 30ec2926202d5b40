import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import { API_TOKEN_PREFIX } from '../permissions/api-token-rules';

/**
 * src/server and dist/server are two levels below the repo root; dist-bench/src/server (the
 * bench's build) three.
 */
const MANIFEST = ['../..', '../../..']
  .map((up) => path.resolve(__dirname, up, 'examples/generated/persisted-documents.json'))
  .find((file) => existsSync(file));

/** The explorer's requests say so (its tabs carry this header): they may send documents. */
export const EXPLORER_CLIENT_HEADER = 'x-handover-client';

/**
 * The frontend's operations as trusted documents: codegen's client preset writes their manifest
 * (`sha256:<hex>` → document) next to the typed documents of examples/operations. Read once.
 */
export function loadTrustedDocuments(file = MANIFEST): Map<string, string> {
  if (!file || !existsSync(file)) return new Map();
  return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>));
}

const refuse = (res: Parameters<RequestHandler>[1], code: string, message: string) =>
  res.status(400).json({ errors: [{ message, extensions: { code } }] });

/**
 * Issue 26, TRUSTED_DOCUMENTS (`off` | `allow` | `require`), on the parsed JSON body of POST
 * /graphql before Apollo sees it. A request may name a known document instead of sending it —
 * by `documentId` (the GraphQL Trusted Documents convention) or Apollo's
 * `extensions.persistedQuery.sha256Hash` — and gets the manifest's text (Apollo then finds its
 * parsed, validated form in its document cache after the first use). An unknown id answers 400
 * PERSISTED_QUERY_NOT_FOUND. In `require`, a request signed in with a user JWT must name a known
 * document (400 TRUSTED_DOCUMENT_REQUIRED otherwise): the frontend sends nothing else. API tokens
 * (partner tooling) and the explorer, when it is on, may still send documents. `off`: ids are
 * not looked up (the frontend sends documents).
 */
export function trustedDocuments(
  mode: 'off' | 'allow' | 'require',
  explorerOn: boolean,
  manifest = loadTrustedDocuments(),
): RequestHandler {
  return (req, res, next) => {
    if (mode === 'off' || req.method !== 'POST' || !req.body || typeof req.body !== 'object') {
      next();
      return;
    }
    const body = req.body as {
      query?: unknown;
      documentId?: unknown;
      extensions?: { persistedQuery?: { sha256Hash?: unknown } };
    };
    const hash = body.extensions?.persistedQuery?.sha256Hash;
    const id =
      typeof body.documentId === 'string'
        ? body.documentId
        : typeof hash === 'string'
          ? `sha256:${hash}`
          : null;
    if (id !== null && !body.query) {
      const document = manifest.get(id);
      if (!document) {
        refuse(res, 'PERSISTED_QUERY_NOT_FOUND', `No trusted document has the id ${id}`);
        return;
      }
      body.query = document;
      delete body.documentId;
      if (body.extensions) delete body.extensions.persistedQuery;
      next();
      return;
    }
    if (mode === 'require') {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
      const userJwt = !!bearer && !bearer.startsWith(API_TOKEN_PREFIX);
      const explorer = explorerOn && req.header(EXPLORER_CLIENT_HEADER) === 'explorer';
      if (userJwt && !explorer) {
        refuse(
          res,
          'TRUSTED_DOCUMENT_REQUIRED',
          'This server takes only trusted documents from signed-in users: send a documentId',
        );
        return;
      }
    }
    next();
  };
}
