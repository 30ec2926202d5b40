/**
 * A seeded generator of random operations for authority-model.test.ts. It reads the model only
 * to pick targets and principals: mostly principals the model says may do the operation (so
 * the world moves: connections open and close, clients are made and archived, reports pile up),
 * often principals who see the target but may not act for it (the classic attacker: a second
 * agency connected to the same premium, an agency user on a premium, a REGULAR user), and
 * sometimes anyone at all, tokens included.
 */
import {
  ROLES,
  type Access,
  type AuthorityModel,
  type Op,
  type Principal,
  type Role,
} from './authority-model';
import { mulberry32 } from '../helpers/random';

export { mulberry32 };

export class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number) {
    return Math.floor(this.next() * n);
  }
  chance(p: number) {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** Between 0 and `max` distinct items. */
  subset<T>(items: readonly T[], max: number): T[] {
    return this.sample(items, this.int(Math.min(max, items.length) + 1));
  }
  /** `n` distinct items (all of them when there are fewer). */
  sample<T>(items: readonly T[], n: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length) out.push(pool.splice(this.int(pool.length), 1)[0]);
    return out;
  }
  weighted<T>(entries: [T, number][]): T {
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let x = this.next() * total;
    for (const [value, w] of entries) {
      x -= w;
      if (x < 0) return value;
    }
    return entries[entries.length - 1][0];
  }
}

/** Bounds that keep every list under one page (first: 100) and the per-step checks cheap. */
export const LIMITS = { reports: 50, accounts: 18, users: 20, tokens: 6, connections: 20 };

type OpKind = Op['kind'];

export interface GeneratorOptions {
  /** setConnectionAccess is generated only when the served schema has it. */
  setConnectionAccess: boolean;
}

export class OpGenerator {
  constructor(
    private readonly rnd: Random,
    private readonly options: GeneratorOptions,
  ) {}

  /** The next operation for the world as the model has it; `index` names what it creates. */
  next(model: AuthorityModel, index: number): Op {
    for (;;) {
      const op = this.template(model, index);
      if (op) return this.withPrincipal(model, op);
    }
  }

  private template(m: AuthorityModel, index: number): Op | null {
    const rnd = this.rnd;
    const accounts = [...m.accounts.values()];
    const agencies = accounts.filter((a) => a.type === 'AGENCY');
    const premiums = accounts.filter((a) => a.type === 'PREMIUM_CLIENT');
    const clients = accounts.filter((a) => a.type === 'CLIENT');
    const activeClients = clients.filter((a) => !a.archived);
    const connections = [...m.connections.values()];
    const users = [...m.users.values()].filter((u) => !u.isStaff);
    const nobody: Principal = { kind: 'user', key: '' };
    const kinds: [OpKind, number][] = [
      ['requestConnection', connections.length < LIMITS.connections ? 8 : 0],
      ['acceptConnection', 8],
      ['declineConnection', 3],
      ['cancelConnection', 3],
      ['disconnectAgency', 5],
      ['disconnectClient', activeClients.length > 2 ? 3 : 0.3],
      ['createClientAccount', accounts.length < LIMITS.accounts ? 5 : 0],
      ['addMember', 8],
      ['setClientAccess', 6],
      ['setConnectionAccess', this.options.setConnectionAccess ? 6 : 0],
      ['createReport', m.reports.size < LIMITS.reports ? 14 : 0],
      ['createApiToken', m.tokens.size < LIMITS.tokens ? 3 : 0],
      ['revokeApiToken', m.tokens.size ? 2 : 0],
    ];
    const kind = rnd.weighted(kinds);
    const agencyUsers = (agency: string) =>
      users.filter((u) => m.role(u.key, agency)).map((u) => u.key);
    const someUsers = (agency: string) =>
      rnd.chance(0.9)
        ? rnd.subset(agencyUsers(agency), 3)
        : [...rnd.subset(agencyUsers(agency), 2), rnd.pick(users).key];
    const access = (): Access => (rnd.chance(0.5) ? 'EVERYONE_IN_AGENCY' : 'SELECTED_USERS');
    const preferring = <T extends { status: string }>(items: T[], statuses: string[]) => {
      const preferred = items.filter((k) => statuses.includes(k.status));
      return preferred.length && rnd.chance(0.85) ? rnd.pick(preferred) : rnd.pick(items);
    };

    switch (kind) {
      case 'requestConnection': {
        const agency = rnd.pick(agencies);
        const premium = rnd.pick(premiums);
        const [from, to] = rnd.chance(0.5) ? [agency, premium] : [premium, agency];
        // Now and then a request that makes no sense (a client, or two of the same type).
        if (rnd.chance(0.04))
          return { kind, by: nobody, from: from.key, to: from.key, newKey: `conn@${index}` };
        return { kind, by: nobody, from: from.key, to: to.key, newKey: `conn@${index}` };
      }
      case 'acceptConnection':
      case 'declineConnection':
      case 'cancelConnection':
        if (!connections.length) return null;
        return { kind, by: nobody, conn: preferring(connections, ['PENDING']).key };
      case 'disconnectAgency':
        if (!connections.length) return null;
        return { kind, by: nobody, conn: preferring(connections, ['ACTIVE']).key };
      case 'setConnectionAccess': {
        if (!connections.length) return null;
        const k = preferring(connections, ['ACTIVE', 'PENDING']);
        const mode = access();
        return {
          kind,
          by: nobody,
          conn: k.key,
          access: mode,
          userIds: mode === 'SELECTED_USERS' ? someUsers(k.agency) : [],
        };
      }
      case 'disconnectClient': {
        const pool = rnd.chance(0.85) && activeClients.length ? activeClients : clients;
        const target = rnd.chance(0.03) ? rnd.pick(premiums) : rnd.pick(pool);
        return { kind, by: nobody, client: target.key };
      }
      case 'createClientAccount': {
        const agency = rnd.pick(agencies);
        const mode = access();
        const orgs = [...new Set(accounts.map((a) => a.org))];
        const ownOrgs = clients.filter((c) => c.agency === agency.key).map((c) => c.org);
        const org = rnd.chance(0.8)
          ? null
          : rnd.chance(0.5) && ownOrgs.length
            ? rnd.pick(ownOrgs)
            : rnd.pick(orgs);
        return {
          kind,
          by: nobody,
          agency: agency.key,
          access: mode,
          userIds: mode === 'SELECTED_USERS' ? someUsers(agency.key) : [],
          org,
          newKey: `client@${index}`,
        };
      }
      case 'addMember': {
        const account = rnd.pick(accounts);
        const newUser = users.length < LIMITS.users && rnd.chance(0.15);
        const role: Role =
          account.type === 'CLIENT' && rnd.chance(0.85) ? 'VIEW_ONLY' : rnd.pick(ROLES);
        return {
          kind,
          by: nobody,
          account: account.key,
          user: newUser ? `user@${index}` : rnd.pick(users).key,
          newUser,
          role,
        };
      }
      case 'setClientAccess': {
        const account = rnd.chance(0.85) && clients.length ? rnd.pick(clients) : rnd.pick(accounts);
        const mode = access();
        const agency = account.agency ?? rnd.pick(agencies).key;
        return {
          kind,
          by: nobody,
          account: account.key,
          access: mode,
          userIds: mode === 'SELECTED_USERS' ? someUsers(agency) : [],
        };
      }
      case 'createReport': {
        const pool = [...premiums, ...(rnd.chance(0.9) ? activeClients : clients)];
        const account = rnd.pick(pool);
        const visibility = rnd.chance(0.5) ? 'ACCOUNT' : 'RESTRICTED';
        const reaching = users.filter((u) => m.reachRoles(u.key, account.key).length > 0);
        const shares =
          visibility === 'RESTRICTED'
            ? rnd.chance(0.9)
              ? rnd.subset(reaching, 2).map((u) => u.key)
              : [rnd.pick(users).key]
            : [];
        return {
          kind,
          by: nobody,
          account: account.key,
          visibility,
          shares,
          newKey: `report@${index}`,
        };
      }
      case 'createApiToken':
        return {
          kind,
          by: nobody,
          account: rnd.pick([...agencies, ...premiums]).key,
          newKey: `token@${index}`,
        };
      case 'revokeApiToken':
        return { kind, by: nobody, token: rnd.pick([...m.tokens.keys()]) };
      default:
        return null;
    }
  }

  /**
   * Mostly someone the model lets do it; often someone who sees the target and may not act for
   * it; sometimes anyone (tokens and staff included).
   */
  private withPrincipal(m: AuthorityModel, op: Op): Op {
    const rnd = this.rnd;
    const all = m.principals();
    const users = all.filter((p) => p.kind === 'user' && m.valid(p));
    const answers = users.map((p) => ({ p, codes: m.expect({ ...op, by: p }) }));
    // Staff may do almost everything: keep them for the uniform pick.
    const allowed = answers.filter((a) => a.codes.includes('OK') && !m.isStaff(a.p.key));
    const refused = answers.filter(
      (a) => a.codes.includes('FORBIDDEN') || a.codes.includes('INVALID_INPUT'),
    );
    const roll = rnd.next();
    let by: Principal;
    if (roll < 0.6 && allowed.length) by = rnd.pick(allowed).p;
    else if (roll < 0.85 && refused.length) by = rnd.pick(refused).p;
    else by = rnd.pick(all);
    return { ...op, by };
  }
}
