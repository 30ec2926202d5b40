import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Account, AgencyConnection, Role, User } from '../../entities';
import { connectionTypes } from './connections.type';

/** R28: the kinds of path that give a user a report or an account (ACCESS_PATHS' `kind`). */
export enum AccessPathKind {
  STAFF = 'STAFF',
  MEMBERSHIP = 'MEMBERSHIP',
  OWNING_AGENCY = 'OWNING_AGENCY',
  CLIENT_ACCESS_GRANT = 'CLIENT_ACCESS_GRANT',
  CONNECTION = 'CONNECTION',
  CONNECTION_ACCESS_GRANT = 'CONNECTION_ACCESS_GRANT',
  REPORT_SHARE = 'REPORT_SHARE',
  ARCHIVED_SNAPSHOT = 'ARCHIVED_SNAPSHOT',
}
registerEnumType(AccessPathKind, {
  name: 'AccessPathKind',
  valuesConfig: {
    MEMBERSHIP: { description: 'Own membership in the account.' },
    OWNING_AGENCY: { description: 'Agency role on its own CLIENT (ADMIN, or EVERYONE_IN_AGENCY).' },
    CLIENT_ACCESS_GRANT: { description: 'Selected on a SELECTED_USERS client.' },
    CONNECTION: {
      description: 'Agency role through an ACTIVE connection (ADMIN, or EVERYONE_IN_AGENCY).',
    },
    CONNECTION_ACCESS_GRANT: { description: 'Selected on a SELECTED_USERS connection.' },
    ARCHIVED_SNAPSHOT: { description: 'R16: recorded when the report or account was archived.' },
  },
});

@ObjectType({ simpleResolvers: true })
export class AccessPath {
  @Field(() => AccessPathKind)
  kind!: AccessPathKind;

  @Field(() => Role, {
    nullable: true,
    description: 'The role this path gives, where it gives one.',
  })
  role!: Role | null;

  @Field(() => Date, { nullable: true, description: 'When the grant behind the path was made.' })
  since!: Date | null;

  @Field({ description: 'One sentence for people.' })
  description!: string;

  /** Resolved by AccessPathResolver (`via`, `connection`, `grantedBy`, `auditEvent`). */
  viaAccountId!: string | null;
  connectionId!: string | null;
  grantedById!: string | null;
  auditEventId!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class AccessExplanation {
  @Field(() => User)
  user!: User;

  @Field()
  canRead!: boolean;

  @Field()
  canAct!: boolean;

  @Field(() => Role, {
    nullable: true,
    description: 'The strongest role, where the user reaches or acts for the account.',
  })
  role!: Role | null;

  @Field(() => [AccessPath])
  paths!: AccessPath[];

  @Field(() => String, {
    nullable: true,
    description: 'When canRead is false: the nearest missing step, for people.',
  })
  missing!: string | null;
}

@ObjectType({ simpleResolvers: true })
export class AccessReviewEntry {
  @Field(() => User)
  user!: User;

  @Field(() => Role, { nullable: true })
  role!: Role | null;

  @Field()
  canAct!: boolean;

  @Field(() => [AccessPath])
  paths!: AccessPath[];
}

export const AccessReviewEntryConnection = connectionTypes(
  AccessReviewEntry,
  'AccessReviewEntry',
).Connection;

@ObjectType({ simpleResolvers: true })
export class AccessReview {
  @Field(() => Account)
  account!: Account;

  @Field({ description: 'The moment the review describes.' })
  at!: Date;

  /** R30: the past moment the review was asked for; null for a review of now. */
  asOf!: Date | null;

  @Field({
    description:
      'R30: the first moment a review can be rebuilt for (when access history began, or the start of the 400-day retention window); `at` before it is refused.',
  })
  historyCompleteSince!: Date;

  @Field(() => [AgencyConnection])
  pendingRequests!: AgencyConnection[];

  @Field({ description: 'A short-lived link to the whole review as CSV.' })
  csvUrl!: string;
}

@ObjectType({ simpleResolvers: true })
export class UserAccessEntry {
  @Field(() => Account)
  account!: Account;

  @Field(() => Role, { nullable: true })
  role!: Role | null;

  @Field()
  canAct!: boolean;

  @Field(() => [AccessPath])
  paths!: AccessPath[];
}

export const UserAccessConnection = connectionTypes(UserAccessEntry, 'UserAccess').Connection;
