/**
 * A pure in-memory model of Handover's accounts, connections, reports and API tokens, and of the
 * rules in ../shared/domain.md (A1–A3, R1–R27) and docs/authority.md: who *reaches* an account,
 * who *acts for* it, which reports each principal can open, and what every operation answers
 * and changes. It is the oracle of authority-model.test.ts and imports nothing from the
 * implementation (no src/permissions, no src/services): everything is keyed by model labels
 * ("agN", "client@17", "N.admin"); the test maps labels to the ids the API hands out.
 *
 * Where the rules leave a choice open, `expect` returns every acceptable answer code (the first
 * is the one the rules suggest most strongly) and the comment says why.
 */

export type Role = 'ADMIN' | 'ACCOUNT_MANAGER' | 'REGULAR' | 'VIEW_ONLY';
export type AccountType = 'AGENCY' | 'PREMIUM_CLIENT' | 'CLIENT';
export type Access = 'EVERYONE_IN_AGENCY' | 'SELECTED_USERS';
export type ConnectionStatus = 'PENDING' | 'ACTIVE' | 'DECLINED' | 'CANCELLED' | 'DISCONNECTED';
export type Visibility = 'ACCOUNT' | 'RESTRICTED';

/** `OK`, a top-level error code (FORBIDDEN, UNAUTHENTICATED) or a userErrors code. */
export type Code = string;

export const MANAGERS: Role[] = ['ADMIN', 'ACCOUNT_MANAGER'];
export const EDITORS: Role[] = ['ADMIN', 'ACCOUNT_MANAGER', 'REGULAR'];
export const ROLES: Role[] = ['ADMIN', 'ACCOUNT_MANAGER', 'REGULAR', 'VIEW_ONLY'];

export interface MAccount {
  key: string;
  type: AccountType;
  archived: boolean;
  /** Owning agency of a CLIENT. */
  agency: string | null;
  org: string;
  /** CLIENT only: the client-access setting (R2) and its selected agency users. */
  access: Access | null;
  selected: Set<string>;
}
export interface MUser {
  key: string;
  isStaff: boolean;
  active: boolean;
  org: string | null;
}
export interface MConnection {
  key: string;
  agency: string;
  premium: string;
  status: ConnectionStatus;
  /** The account that sent the request. */
  requestedBy: string;
  /** Per-connection access of the agency's users to the premium (docs/authority.md). */
  access: Access;
  selected: Set<string>;
}
export interface MReport {
  key: string;
  account: string;
  visibility: Visibility;
  createdBy: string;
  shares: Set<string>;
  archived: boolean;
  /** R16: who could open it when it was archived. */
  snapshot: Set<string>;
}
export interface MToken {
  key: string;
  account: string;
  creator: string;
  revoked: boolean;
}

/** Who sends a request: a signed-in user or a partner API token (both by model key). */
export type Principal = { kind: 'user'; key: string } | { kind: 'token'; key: string };

export type Op =
  | { kind: 'createAgency'; by: Principal; newKey: string }
  | { kind: 'createPremiumClient'; by: Principal; newKey: string }
  | { kind: 'requestConnection'; by: Principal; from: string; to: string; newKey: string }
  | {
      kind: 'acceptConnection' | 'declineConnection' | 'cancelConnection' | 'disconnectAgency';
      by: Principal;
      conn: string;
    }
  | { kind: 'disconnectClient'; by: Principal; client: string }
  | {
      kind: 'createClientAccount';
      by: Principal;
      agency: string;
      access: Access;
      userIds: string[];
      /** An existing organization (by key), or null for a new one. */
      org: string | null;
      newKey: string;
    }
  | {
      kind: 'addMember';
      by: Principal;
      account: string;
      /** An existing user, or a new one when `newUser`. */
      user: string;
      newUser: boolean;
      role: Role;
    }
  | { kind: 'setClientAccess'; by: Principal; account: string; access: Access; userIds: string[] }
  | { kind: 'setConnectionAccess'; by: Principal; conn: string; access: Access; userIds: string[] }
  | {
      kind: 'createReport';
      by: Principal;
      account: string;
      visibility: Visibility;
      shares: string[];
      newKey: string;
    }
  | { kind: 'createApiToken'; by: Principal; account: string; newKey: string }
  | { kind: 'revokeApiToken'; by: Principal; token: string };

export type Probe =
  | { kind: 'auditEvents' | 'apiTokens'; account: string }
  | { kind: 'disconnectClientPreview'; client: string }
  | { kind: 'disconnectAgencyPreview'; conn: string };

/** An expected set of ids: the answer must hold every id of `min` and none outside `max`. */
export interface Expected {
  min: Set<string>;
  max: Set<string>;
}
export interface ReadView {
  /** UNAUTHENTICATED when the principal no longer authenticates. */
  error: Code | null;
  activeReports: Expected;
  archivedReports: Expected;
  activeAccounts: Expected;
  archivedAccounts: Expected;
}

const exact = (ids: Iterable<string>): Expected => {
  const set = new Set(ids);
  return { min: set, max: set };
};

export class AuthorityModel {
  readonly accounts = new Map<string, MAccount>();
  readonly users = new Map<string, MUser>();
  /** user -> account -> role */
  readonly memberships = new Map<string, Map<string, Role>>();
  readonly connections = new Map<string, MConnection>();
  readonly reports = new Map<string, MReport>();
  readonly tokens = new Map<string, MToken>();
  /** Organizations removed by R20. */
  readonly removedOrgs = new Set<string>();

  addStaff(key: string) {
    this.users.set(key, { key, isStaff: true, active: true, org: null });
  }

  // -------------------------------------------------------------------------------------------
  // Relations (A1, A2)
  // -------------------------------------------------------------------------------------------

  role(user: string, account: string): Role | null {
    return this.memberships.get(user)?.get(account) ?? null;
  }

  isStaff(user: string) {
    return !!this.users.get(user)?.isStaff;
  }

  private agencyUserReaches(role: Role, access: Access | null, selected: Set<string>, u: string) {
    return role === 'ADMIN' || access === 'EVERYONE_IN_AGENCY' || selected.has(u);
  }

  /** reaches(user, account): every reach role the user holds on the account (A2). */
  reachRoles(user: string, accountKey: string): Role[] {
    const account = this.accounts.get(accountKey)!;
    const roles: Role[] = [];
    const own = this.role(user, accountKey);
    // 1. members — except the own users of an ARCHIVED CLIENT (R15).
    if (own && !(account.type === 'CLIENT' && account.archived)) roles.push(own);
    // 2. the owning agency's users on a CLIENT, by the client's access setting.
    if (account.type === 'CLIENT') {
      const agencyRole = this.role(user, account.agency!);
      if (agencyRole && this.agencyUserReaches(agencyRole, account.access, account.selected, user))
        roles.push(agencyRole);
    }
    // 3. agency users on a PREMIUM_CLIENT through an ACTIVE connection, by that connection's
    //    own access setting.
    if (account.type === 'PREMIUM_CLIENT') {
      for (const k of this.connections.values()) {
        if (k.premium !== accountKey || k.status !== 'ACTIVE') continue;
        const agencyRole = this.role(user, k.agency);
        if (agencyRole && this.agencyUserReaches(agencyRole, k.access, k.selected, user))
          roles.push(agencyRole);
      }
    }
    return roles;
  }

  reaches(user: string, account: string) {
    return this.isStaff(user) || this.reachRoles(user, account).length > 0;
  }

  /** actsFor(user, account, roles) (A1): own role; a CLIENT's owning-agency managers who reach it. */
  actsFor(user: string, accountKey: string, roles: Role[]) {
    if (this.isStaff(user)) return true;
    const own = this.role(user, accountKey);
    if (own && roles.includes(own)) return true;
    const account = this.accounts.get(accountKey)!;
    if (account.type === 'CLIENT') {
      const agencyRole = this.role(user, account.agency!);
      return (
        !!agencyRole &&
        MANAGERS.includes(agencyRole) &&
        this.agencyUserReaches(agencyRole, account.access, account.selected, user)
      );
    }
    return false;
  }

  /**
   * R29: the account's access review — every user but staff who reaches it (A2) or acts for it
   * (A1), with the strongest role either gives and whether they act — and its PENDING requests.
   * Written from the rules above, not from the implementation's branches.
   */
  review(accountKey: string): {
    entries: Map<string, { role: Role; canAct: boolean }>;
    pending: string[];
  } {
    const account = this.accounts.get(accountKey)!;
    const entries = new Map<string, { role: Role; canAct: boolean }>();
    for (const user of this.users.values()) {
      if (user.isStaff) continue;
      const reach = this.reachRoles(user.key, accountKey);
      const acts: Role[] = [];
      const own = this.role(user.key, accountKey);
      // A member acts for their own account in their role — a CLIENT's users even once it is
      // archived (they no longer reach it, R15, but remain its members).
      if (own) acts.push(own);
      if (account.type === 'CLIENT') {
        const agencyRole = this.role(user.key, account.agency!);
        if (
          agencyRole &&
          MANAGERS.includes(agencyRole) &&
          this.agencyUserReaches(agencyRole, account.access, account.selected, user.key)
        )
          acts.push('ADMIN');
      }
      if (reach.length === 0 && acts.length === 0) continue;
      const role = ROLES.find((r) => reach.includes(r) || acts.includes(r))!;
      entries.set(user.key, { role, canAct: acts.length > 0 });
    }
    const pending = [...this.connections.values()]
      .filter(
        (k) => k.status === 'PENDING' && (k.agency === accountKey || k.premium === accountKey),
      )
      .map((k) => k.key);
    return { entries, pending };
  }

  /** The account exists for the user (A3): they act for it or reach it. */
  sees(user: string, account: string) {
    return this.reaches(user, account) || this.actsFor(user, account, ROLES);
  }

  /**
   * Whether a connection exists for the user: 'member' when they belong to (or act for) one of
   * its two sides, 'reach' when they only reach its premium through *another* agency's
   * connection (A3 is not explicit whether that premium's other connections are then "its other
   * connections" that must not exist for them, so both NOT_FOUND and FORBIDDEN are accepted),
   * null otherwise.
   */
  seesConnection(user: string, k: MConnection): 'member' | 'reach' | null {
    if (this.isStaff(user)) return 'member';
    if (this.role(user, k.agency) || this.role(user, k.premium)) return 'member';
    if (this.reaches(user, k.premium)) return 'reach';
    return null;
  }

  /** The principal still authenticates (deactivated users and dead tokens do not). */
  valid(p: Principal): boolean {
    if (p.kind === 'user') return !!this.users.get(p.key)?.active;
    const token = this.tokens.get(p.key);
    if (!token || token.revoked) return false;
    const creator = this.users.get(token.creator)!;
    if (!creator.active) return false;
    // R18: stops working when its creator is no longer an ADMIN of the account (staff: staff).
    return creator.isStaff || this.role(creator.key, token.account) === 'ADMIN';
  }

  // -------------------------------------------------------------------------------------------
  // Reads (R5, R6, R15, R16, R18)
  // -------------------------------------------------------------------------------------------

  /**
   * R25, A2: the account's own administrators — its own ADMINs, or on a CLIENT the owning
   * agency's ADMINs; a connection never makes a connected agency's ADMIN one.
   */
  administers(user: string, accountKey: string) {
    const account = this.accounts.get(accountKey)!;
    if (this.role(user, accountKey) === 'ADMIN' && !(account.type === 'CLIENT' && account.archived))
      return true;
    return account.type === 'CLIENT' && this.role(user, account.agency!) === 'ADMIN';
  }

  activeReportOpen(user: string, r: MReport) {
    if (r.archived) return false;
    if (this.isStaff(user)) return true;
    if (this.reachRoles(user, r.account).length === 0) return false;
    return (
      r.visibility === 'ACCOUNT' ||
      this.administers(user, r.account) ||
      r.createdBy === user ||
      r.shares.has(user)
    );
  }

  /** R16: recorded at archive time AND still a member of the owning agency. */
  archivedReportOpenByR16(user: string, r: MReport) {
    if (!r.archived || !r.snapshot.has(user)) return false;
    const agency = this.accounts.get(r.account)!.agency;
    return !!agency && !!this.role(user, agency);
  }

  reportOpen(user: string, r: MReport) {
    if (this.isStaff(user)) return true;
    return r.archived ? this.archivedReportOpenByR16(user, r) : this.activeReportOpen(user, r);
  }

  read(p: Principal): ReadView {
    const empty = exact([]);
    if (!this.valid(p)) {
      return {
        error: 'UNAUTHENTICATED',
        activeReports: empty,
        archivedReports: empty,
        activeAccounts: empty,
        archivedAccounts: empty,
      };
    }
    const reports = [...this.reports.values()];
    const accounts = [...this.accounts.values()];
    if (p.kind === 'user') {
      const open = reports.filter((r) => this.reportOpen(p.key, r));
      const seen = accounts.filter((a) => this.reaches(p.key, a.key));
      return {
        error: null,
        activeReports: exact(open.filter((r) => !r.archived).map((r) => r.key)),
        archivedReports: exact(open.filter((r) => r.archived).map((r) => r.key)),
        activeAccounts: exact(seen.filter((a) => !a.archived).map((a) => a.key)),
        archivedAccounts: exact(seen.filter((a) => a.archived).map((a) => a.key)),
      };
    }
    // R18: a token reads archived reports only, of its own account.
    const token = this.tokens.get(p.key)!;
    const scope = this.accounts.get(token.account)!;
    const creator = token.creator;
    let min: MReport[] = [];
    let max: MReport[] = [];
    if (scope.type === 'AGENCY') {
      const ofClients = reports.filter(
        (r) => r.archived && this.accounts.get(r.account)!.agency === scope.key,
      );
      min = ofClients.filter((r) => this.archivedReportOpenByR16(creator, r));
      // A staff creator "can open" every report; whether R16's snapshot still binds a staff
      // member's token is not said: anything between the two is accepted.
      max = this.isStaff(creator) ? ofClients : min;
    } else if (scope.type === 'PREMIUM_CLIENT') {
      min = max = reports.filter((r) => r.archived && r.account === scope.key);
    }
    // "With those reports it reads their account": whether `accounts` lists them (and the
    // token's own account) is left open; nothing else may be listed.
    const allowed = new Set([scope.key, ...max.map((r) => r.account)]);
    const range = (archived: boolean): Expected => ({
      min: new Set(),
      max: new Set([...allowed].filter((a) => this.accounts.get(a)!.archived === archived)),
    });
    return {
      error: null,
      activeReports: empty,
      archivedReports: { min: new Set(min.map((r) => r.key)), max: new Set(max.map((r) => r.key)) },
      activeAccounts: range(false),
      archivedAccounts: range(true),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Probes: read-only operations that reveal authority
  // -------------------------------------------------------------------------------------------

  probe(p: Principal, probe: Probe): Code[] {
    if (!this.valid(p)) return ['UNAUTHENTICATED'];
    // API tokens call neither auditEvents, apiTokens nor the previews.
    if (p.kind === 'token') return ['FORBIDDEN'];
    const u = p.key;
    switch (probe.kind) {
      case 'auditEvents':
      case 'apiTokens':
        // FORBIDDEN whether or not the account exists for the caller.
        return this.actsFor(u, probe.account, ['ADMIN']) ? ['OK'] : ['FORBIDDEN'];
      case 'disconnectClientPreview':
        return this.clientDisconnectCodes(u, probe.client, 'OK');
      case 'disconnectAgencyPreview': {
        const k = this.connections.get(probe.conn)!;
        const gate = this.connectionGate(u, k, [k.agency, k.premium]);
        // Not ACTIVE: the preview answers "no impact".
        return gate ?? ['OK'];
      }
    }
  }

  /** NOT_FOUND / FORBIDDEN for a connection operation needing actsFor(one of `sides`, MANAGERS). */
  private connectionGate(u: string, k: MConnection, sides: string[]): Code[] | null {
    const sees = this.seesConnection(u, k);
    if (!sees) return ['NOT_FOUND'];
    if (sides.some((side) => this.actsFor(u, side, MANAGERS))) return null;
    return sees === 'member' ? ['FORBIDDEN'] : ['FORBIDDEN', 'NOT_FOUND'];
  }

  /**
   * disconnectClient / its preview (R9, I4); `repeat` is the answer to an allowed call on an
   * archived client: ALREADY_DISCONNECTED for the mutation (I4), OK (no impact) for the preview.
   */
  private clientDisconnectCodes(u: string, clientKey: string, repeat: Code): Code[] {
    const client = this.accounts.get(clientKey)!;
    if (client.type !== 'CLIENT') {
      if (!this.sees(u, clientKey)) return ['NOT_FOUND'];
      return ['INVALID_INPUT', 'FORBIDDEN'];
    }
    if (!client.archived) {
      if (!this.sees(u, clientKey)) return ['NOT_FOUND'];
      if (!this.actsFor(u, clientKey, MANAGERS)) return ['FORBIDDEN'];
      return ['OK'];
    }
    // Archived. The archiving removed the client's memberships and selected users, so under the
    // letter of A1 only staff, the agency's ADMINs and, in EVERYONE_IN_AGENCY mode, its managers
    // still act for it. I4 wants a repeat by whoever disconnected it to hear "already
    // disconnected": for the agency's other managers both answers are accepted.
    if (this.actsFor(u, clientKey, MANAGERS)) return [repeat];
    const agencyRole = this.role(u, client.agency!);
    if (agencyRole && MANAGERS.includes(agencyRole)) return [repeat, 'NOT_FOUND'];
    if (this.sees(u, clientKey)) return ['FORBIDDEN'];
    return ['NOT_FOUND'];
  }

  // -------------------------------------------------------------------------------------------
  // Operations: the expected answer, and what an allowed one changes
  // -------------------------------------------------------------------------------------------

  private agencyMembers(agency: string): Set<string> {
    const out = new Set<string>();
    for (const [user, roles] of this.memberships) if (roles.has(agency)) out.add(user);
    return out;
  }

  /** Whether every key the operation names exists (a shrunk sequence may have lost its maker). */
  refsExist(op: Op): boolean {
    const principalOk =
      op.by.kind === 'user' ? this.users.has(op.by.key) : this.tokens.has(op.by.key);
    if (!principalOk) return false;
    const accounts: string[] = [];
    const users: string[] = [];
    switch (op.kind) {
      case 'requestConnection':
        accounts.push(op.from, op.to);
        break;
      case 'acceptConnection':
      case 'declineConnection':
      case 'cancelConnection':
      case 'disconnectAgency':
      case 'setConnectionAccess':
        if (!this.connections.has(op.conn)) return false;
        if (op.kind === 'setConnectionAccess') users.push(...op.userIds);
        break;
      case 'disconnectClient':
        accounts.push(op.client);
        break;
      case 'createClientAccount':
        accounts.push(op.agency);
        users.push(...op.userIds);
        if (op.org && ![...this.accounts.values()].some((a) => a.org === op.org)) return false;
        break;
      case 'addMember':
        accounts.push(op.account);
        if (!op.newUser) users.push(op.user);
        break;
      case 'setClientAccess':
        accounts.push(op.account);
        users.push(...op.userIds);
        break;
      case 'createReport':
        accounts.push(op.account);
        users.push(...op.shares);
        break;
      case 'createApiToken':
        accounts.push(op.account);
        break;
      case 'revokeApiToken':
        if (!this.tokens.has(op.token)) return false;
        break;
    }
    return accounts.every((a) => this.accounts.has(a)) && users.every((u) => this.users.has(u));
  }

  /** Every answer code the rules allow for `op`; 'OK' means it must succeed and change the world. */
  expect(op: Op): Code[] {
    if (!this.valid(op.by)) return ['UNAUTHENTICATED'];
    // API tokens are read-only: every mutation is FORBIDDEN.
    if (op.by.kind === 'token') return ['FORBIDDEN'];
    const u = op.by.key;
    switch (op.kind) {
      case 'createAgency':
      case 'createPremiumClient':
        return this.isStaff(u) ? ['OK'] : ['FORBIDDEN'];

      case 'requestConnection': {
        // R1: actsFor(from, ADMIN/ACCOUNT_MANAGER); `to` only has to exist.
        if (!this.sees(u, op.from)) return ['NOT_FOUND'];
        if (!this.actsFor(u, op.from, MANAGERS)) return ['FORBIDDEN'];
        const from = this.accounts.get(op.from)!;
        const to = this.accounts.get(op.to)!;
        const opposite =
          (from.type === 'AGENCY' && to.type === 'PREMIUM_CLIENT') ||
          (from.type === 'PREMIUM_CLIENT' && to.type === 'AGENCY');
        if (!opposite) return ['INVALID_INPUT'];
        const [agency, premium] = from.type === 'AGENCY' ? [from, to] : [to, from];
        const open = [...this.connections.values()].some(
          (k) =>
            k.agency === agency.key &&
            k.premium === premium.key &&
            (k.status === 'PENDING' || k.status === 'ACTIVE'),
        );
        return open ? ['CONNECTION_EXISTS'] : ['OK'];
      }

      case 'acceptConnection':
      case 'declineConnection':
      case 'cancelConnection': {
        const k = this.connections.get(op.conn)!;
        const responder = k.requestedBy === k.agency ? k.premium : k.agency;
        const side = op.kind === 'cancelConnection' ? k.requestedBy : responder;
        const gate = this.connectionGate(u, k, [side]);
        if (gate) return gate;
        return k.status === 'PENDING' ? ['OK'] : ['INVALID_STATE'];
      }

      case 'disconnectAgency': {
        const k = this.connections.get(op.conn)!;
        const gate = this.connectionGate(u, k, [k.agency, k.premium]);
        if (gate) return gate;
        if (k.status === 'DISCONNECTED') return ['ALREADY_DISCONNECTED'];
        return k.status === 'ACTIVE' ? ['OK'] : ['INVALID_STATE'];
      }

      case 'disconnectClient':
        return this.clientDisconnectCodes(u, op.client, 'ALREADY_DISCONNECTED');

      case 'createClientAccount': {
        // R2: actsFor(agency, ADMIN/ACCOUNT_MANAGER).
        if (!this.sees(u, op.agency)) return ['NOT_FOUND'];
        if (!this.actsFor(u, op.agency, MANAGERS)) return ['FORBIDDEN'];
        if (this.accounts.get(op.agency)!.type !== 'AGENCY') return ['INVALID_INPUT'];
        const codes: Code[] = [];
        if (op.org) {
          // The organization of one of the agency's own clients (staff: any), not removed.
          const ok =
            !this.removedOrgs.has(op.org) &&
            [...this.accounts.values()].some(
              (a) =>
                a.org === op.org &&
                (this.isStaff(u) || (a.type === 'CLIENT' && a.agency === op.agency)),
            );
          if (!ok) codes.push('NOT_FOUND');
        }
        if (op.access === 'SELECTED_USERS') {
          const members = this.agencyMembers(op.agency);
          if (!op.userIds.every((id) => members.has(id))) codes.push('INVALID_INPUT');
        }
        return codes.length ? codes : ['OK'];
      }

      case 'addMember': {
        // R24: actsFor(account, ADMIN).
        if (!this.sees(u, op.account)) return ['NOT_FOUND'];
        if (!this.actsFor(u, op.account, ['ADMIN'])) return ['FORBIDDEN'];
        const account = this.accounts.get(op.account)!;
        if (account.archived) return ['ACCOUNT_ARCHIVED'];
        if (account.type === 'CLIENT' && op.role !== 'VIEW_ONLY') return ['INVALID_INPUT'];
        if (!op.newUser) {
          const user = this.users.get(op.user)!;
          if (!user.active) return ['INVALID_STATE'];
          if (this.role(op.user, op.account)) return ['INVALID_STATE'];
          // A person belongs to one organization: a user of another is not added (issue 30 #11).
          if (user.org !== account.org) return ['INVALID_STATE'];
        }
        return ['OK'];
      }

      case 'setClientAccess': {
        if (!this.sees(u, op.account)) return ['NOT_FOUND'];
        const account = this.accounts.get(op.account)!;
        if (account.type !== 'CLIENT') {
          // docs/authority.md: any other account type → INVALID_INPUT (a premium's access is
          // per connection). Whether authority or the type is judged first is not said.
          return this.actsFor(u, op.account, MANAGERS)
            ? ['INVALID_INPUT']
            : ['FORBIDDEN', 'INVALID_INPUT'];
        }
        if (!this.actsFor(u, op.account, MANAGERS)) return ['FORBIDDEN'];
        if (account.archived) return ['ACCOUNT_ARCHIVED'];
        if (op.access === 'SELECTED_USERS') {
          const members = this.agencyMembers(account.agency!);
          if (!op.userIds.every((id) => members.has(id))) return ['INVALID_INPUT'];
        }
        return ['OK'];
      }

      case 'setConnectionAccess': {
        const k = this.connections.get(op.conn)!;
        const gate = this.connectionGate(u, k, [k.agency]);
        if (gate) return gate;
        if (k.status !== 'PENDING' && k.status !== 'ACTIVE') return ['INVALID_STATE'];
        if (op.access === 'SELECTED_USERS') {
          const members = this.agencyMembers(k.agency);
          if (!op.userIds.every((id) => members.has(id))) return ['INVALID_INPUT'];
        }
        return ['OK'];
      }

      case 'createReport': {
        // reaches(account) with reach role ADMIN, ACCOUNT_MANAGER or REGULAR.
        if (!this.sees(u, op.account)) return ['NOT_FOUND'];
        if (!this.isStaff(u) && !this.reachRoles(u, op.account).some((r) => EDITORS.includes(r)))
          return ['FORBIDDEN'];
        if (this.accounts.get(op.account)!.archived) return ['ACCOUNT_ARCHIVED'];
        if (op.shares.length && op.visibility !== 'RESTRICTED') return ['INVALID_INPUT'];
        // R25: shared only with users who reach the account.
        if (!op.shares.every((s) => this.reachRoles(s, op.account).length > 0))
          return ['INVALID_INPUT'];
        return ['OK'];
      }

      case 'createApiToken':
        if (!this.sees(u, op.account)) return ['NOT_FOUND'];
        return this.actsFor(u, op.account, ['ADMIN']) ? ['OK'] : ['FORBIDDEN'];

      case 'revokeApiToken': {
        const token = this.tokens.get(op.token)!;
        if (!this.sees(u, token.account)) return ['NOT_FOUND'];
        // Revoking twice is fine (the first revocation time stays).
        return this.actsFor(u, token.account, ['ADMIN']) ? ['OK'] : ['FORBIDDEN'];
      }
    }
  }

  /** Applies an operation the model expects to succeed (call only when `expect` says OK). */
  apply(op: Op): void {
    const u = op.by.key;
    switch (op.kind) {
      case 'createAgency':
      case 'createPremiumClient':
        this.accounts.set(op.newKey, {
          key: op.newKey,
          type: op.kind === 'createAgency' ? 'AGENCY' : 'PREMIUM_CLIENT',
          archived: false,
          agency: null,
          org: `org:${op.newKey}`,
          access: null,
          selected: new Set(),
        });
        return;
      case 'requestConnection': {
        const from = this.accounts.get(op.from)!;
        const [agency, premium] = from.type === 'AGENCY' ? [op.from, op.to] : [op.to, op.from];
        this.connections.set(op.newKey, {
          key: op.newKey,
          agency,
          premium,
          status: 'PENDING',
          requestedBy: op.from,
          access: 'EVERYONE_IN_AGENCY',
          selected: new Set(),
        });
        return;
      }
      case 'acceptConnection':
        this.connections.get(op.conn)!.status = 'ACTIVE';
        return;
      case 'declineConnection':
        this.connections.get(op.conn)!.status = 'DECLINED';
        return;
      case 'cancelConnection':
        this.connections.get(op.conn)!.status = 'CANCELLED';
        return;
      case 'disconnectAgency':
        // R5, R6, R8: agency users lose the premium with the connection; data stays with it.
        this.connections.get(op.conn)!.status = 'DISCONNECTED';
        this.endSharesWithoutReach(this.connections.get(op.conn)!.premium);
        return;
      case 'disconnectClient':
        this.archiveClient(op.client);
        return;
      case 'createClientAccount': {
        const selected = new Set(op.access === 'SELECTED_USERS' ? op.userIds : []);
        // The agency user who creates a SELECTED_USERS client is always on its list.
        if (op.access === 'SELECTED_USERS' && this.role(u, op.agency)) selected.add(u);
        this.accounts.set(op.newKey, {
          key: op.newKey,
          type: 'CLIENT',
          archived: false,
          agency: op.agency,
          org: op.org ?? `org:${op.newKey}`,
          access: op.access,
          selected,
        });
        return;
      }
      case 'addMember': {
        if (op.newUser) {
          const org = this.accounts.get(op.account)!.org;
          this.users.set(op.user, { key: op.user, isStaff: false, active: true, org });
        }
        if (!this.memberships.has(op.user)) this.memberships.set(op.user, new Map());
        this.memberships.get(op.user)!.set(op.account, op.role);
        return;
      }
      case 'setClientAccess': {
        const account = this.accounts.get(op.account)!;
        account.access = op.access;
        account.selected = new Set(op.access === 'SELECTED_USERS' ? op.userIds : []);
        this.endSharesWithoutReach(op.account);
        return;
      }
      case 'setConnectionAccess': {
        const k = this.connections.get(op.conn)!;
        k.access = op.access;
        k.selected = new Set(op.access === 'SELECTED_USERS' ? op.userIds : []);
        this.endSharesWithoutReach(k.premium);
        return;
      }
      case 'createReport':
        this.reports.set(op.newKey, {
          key: op.newKey,
          account: op.account,
          visibility: op.visibility,
          createdBy: u,
          shares: new Set(op.shares),
          archived: false,
          snapshot: new Set(),
        });
        return;
      case 'createApiToken':
        this.tokens.set(op.newKey, {
          key: op.newKey,
          account: op.account,
          creator: u,
          revoked: false,
        });
        return;
      case 'revokeApiToken':
        this.tokens.get(op.token)!.revoked = true;
        return;
    }
  }

  /**
   * R6, R24 (issue 30): a share of an active report lives only while its user reaches the
   * report's account; a change of who reaches `accountKey` ends the others for good.
   */
  private endSharesWithoutReach(accountKey: string) {
    for (const r of this.reports.values()) {
      if (r.account !== accountKey || r.archived) continue;
      for (const user of [...r.shares]) {
        if (this.reachRoles(user, accountKey).length === 0) r.shares.delete(user);
      }
    }
  }

  /** R9–R16, R20 in one step (I1). */
  private archiveClient(clientKey: string) {
    const client = this.accounts.get(clientKey)!;
    // R16: the snapshot, taken before anything changes: every active user who can open it now.
    for (const r of this.reports.values()) {
      if (r.account !== clientKey || r.archived) continue;
      for (const user of this.users.values()) {
        if (user.active && !user.isStaff && this.activeReportOpen(user.key, r))
          r.snapshot.add(user.key);
      }
      r.archived = true; // R11
    }
    client.archived = true; // R10
    // R15: the client's own users lose it. Decision taken from the implementation (domain.md is
    // silent): the archiving also drops the client's memberships and its selected users.
    for (const roles of this.memberships.values()) roles.delete(clientKey);
    client.selected = new Set();
    // R20: the organization goes when it has no other active account; its users who belong to
    // no other account are deactivated.
    const orgAlive = [...this.accounts.values()].some((a) => a.org === client.org && !a.archived);
    if (!orgAlive && !this.removedOrgs.has(client.org)) {
      this.removedOrgs.add(client.org);
      for (const user of this.users.values()) {
        const memberships = this.memberships.get(user.key);
        if (user.org === client.org && !user.isStaff && (!memberships || memberships.size === 0))
          user.active = false;
      }
    }
  }

  /** Every principal the model knows: users first, then tokens. */
  principals(): Principal[] {
    return [
      ...[...this.users.keys()].map((key) => ({ kind: 'user' as const, key })),
      ...[...this.tokens.keys()].map((key) => ({ kind: 'token' as const, key })),
    ];
  }

  /** Every probe over the current world. */
  probes(): Probe[] {
    const out: Probe[] = [];
    for (const a of this.accounts.values()) {
      out.push({ kind: 'auditEvents', account: a.key }, { kind: 'apiTokens', account: a.key });
      if (a.type === 'CLIENT') out.push({ kind: 'disconnectClientPreview', client: a.key });
    }
    for (const k of this.connections.values())
      out.push({ kind: 'disconnectAgencyPreview', conn: k.key });
    return out;
  }
}

export const principalLabel = (p: Principal) => (p.kind === 'token' ? `token ${p.key}` : p.key);

export function probeLabel(probe: Probe): string {
  switch (probe.kind) {
    case 'auditEvents':
    case 'apiTokens':
      return `${probe.kind}(${probe.account})`;
    case 'disconnectClientPreview':
      return `${probe.kind}(${probe.client})`;
    case 'disconnectAgencyPreview':
      return `${probe.kind}(${probe.conn})`;
  }
}

export function opLabel(op: Op): string {
  const { kind, by, ...args } = op as Op & Record<string, unknown>;
  const shown = Object.entries(args)
    .filter(([name, value]) => name !== 'newUser' || value)
    .map(
      ([name, value]) =>
        `${name}: ${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`,
    )
    .join(', ');
  return `${principalLabel(by)} → ${kind}(${shown})`;
}
