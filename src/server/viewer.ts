import type { User } from '../entities';

/** Who is calling: a signed-in user, or a partner API token acting for its creator (R18). */
export type Viewer =
  | { kind: 'user'; user: User }
  | { kind: 'token'; user: User; tokenId: string; scopeAccountId: string };
