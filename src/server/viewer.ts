/** The request's principal (src/permissions/principal.ts), named as the server calls it. */
export type { Principal as Viewer } from '../permissions/principal';
