import { Field, ID, Int, ObjectType } from 'type-graphql';
import {
  Account,
  AgencyConnection,
  Integration,
  IntegrationMapping,
  Membership,
  Report,
  ReportingItem,
  ScheduledDisconnection,
  User,
} from '../../entities';
import { ApiTokenInfo } from './api-token.type';
import { UserError } from './user-error.type';

@ObjectType({ simpleResolvers: true })
export class AccountPayload {
  @Field(() => Account, { nullable: true })
  account?: Account | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class OrganizationAccountPayload {
  @Field(() => Account, { nullable: true })
  account?: Account | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class MembershipPayload {
  @Field(() => Membership, { nullable: true })
  membership?: Membership | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class ConnectionPayload {
  @Field(() => AgencyConnection, { nullable: true })
  connection?: AgencyConnection | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({
  simpleResolvers: true,
  description: 'What a disconnection would change (R23); equal to what it then changes.',
})
export class DisconnectImpact {
  @Field(() => Int)
  reportsToArchive!: number;

  @Field(() => Int)
  itemsToFreeze!: number;

  @Field(() => Int)
  mappingsToPause!: number;

  @Field(() => [User])
  usersLosingAccess!: User[];

  @Field()
  organizationRemoved!: boolean;
}

@ObjectType({ simpleResolvers: true })
export class DisconnectAgencyPayload {
  @Field(() => AgencyConnection, { nullable: true })
  connection?: AgencyConnection | null;

  @Field(() => DisconnectImpact, { nullable: true })
  impact?: DisconnectImpact | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class DisconnectClientPayload {
  @Field(() => Account, { nullable: true })
  account?: Account | null;

  @Field(() => DisconnectImpact, { nullable: true })
  impact?: DisconnectImpact | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class DisconnectClientResult {
  @Field(() => ID)
  clientAccountId!: string;

  @Field(() => Account, { nullable: true })
  account?: Account | null;

  @Field(() => DisconnectImpact, { nullable: true })
  impact?: DisconnectImpact | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class DisconnectClientsPayload {
  @Field(() => [DisconnectClientResult], {
    description: 'R32: one outcome per distinct client, in the order given.',
  })
  results!: DisconnectClientResult[];

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class ReportingItemPayload {
  @Field(() => ReportingItem, { nullable: true })
  item?: ReportingItem | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class ReportPayload {
  @Field(() => Report, { nullable: true })
  report?: Report | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class IntegrationPayload {
  @Field(() => Integration, { nullable: true })
  integration?: Integration | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class MappingPayload {
  @Field(() => IntegrationMapping, { nullable: true })
  mapping?: IntegrationMapping | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class SyncPayload {
  @Field(() => Int)
  itemsCreated!: number;

  @Field(() => Int)
  itemsUpdated!: number;

  @Field(() => Int, { description: 'Mappings whose campaigns were pulled.' })
  mappingsSynced!: number;

  @Field(() => Int, {
    description: 'Mappings skipped: PAUSED, or their account ARCHIVED or no longer connected.',
  })
  mappingsSkipped!: number;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class ExportPayload {
  @Field(() => String, {
    nullable: true,
    description: "The export's contents (CSV text or a JSON document).",
  })
  content?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'A short-lived URL serving the same contents over HTTP GET.',
  })
  url?: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class ApiTokenPayload {
  @Field(() => String, { nullable: true, description: 'Shown once; only a hash is stored.' })
  token?: string | null;

  @Field(() => ApiTokenInfo, { nullable: true, description: 'The new token, without its secret.' })
  apiToken?: ApiTokenInfo | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class RemoveMemberPayload {
  @Field(() => ID, { nullable: true })
  removedUserId?: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class DeleteReportPayload {
  @Field(() => ID, { nullable: true })
  deletedReportId?: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class UserPayload {
  @Field(() => User, { nullable: true })
  user?: User | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType({ simpleResolvers: true })
export class ScheduledDisconnectionPayload {
  @Field(() => ScheduledDisconnection, { nullable: true })
  schedule?: ScheduledDisconnection | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
