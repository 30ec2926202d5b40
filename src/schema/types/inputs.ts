import { Field, ID, InputType } from 'type-graphql';
import {
  AccountType,
  ClientAccessMode,
  ExportFormat,
  Product,
  ReportVisibility,
  Role,
} from '../../entities/enums';

@InputType()
export class ReportFilter {
  @Field({ defaultValue: false, nullable: true })
  archived!: boolean;

  @Field(() => ID, { nullable: true })
  accountId?: string | null;

  @Field(() => String, { nullable: true })
  search?: string | null;
}

@InputType()
export class AccountFilter {
  @Field(() => AccountType, { nullable: true })
  type?: AccountType | null;

  @Field({ defaultValue: false, nullable: true })
  archived!: boolean;
}

@InputType()
export class CreateAgencyInput {
  @Field()
  name!: string;

  @Field()
  organizationName!: string;
}

@InputType()
export class CreatePremiumClientInput {
  @Field()
  name!: string;

  @Field()
  organizationName!: string;
}

@InputType()
export class CreateClientAccountInput {
  @Field(() => ID)
  agencyId!: string;

  @Field()
  name!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'An existing organization of the brand; a new one is made when absent.',
  })
  organizationId?: string | null;

  @Field(() => String, { nullable: true })
  organizationName?: string | null;

  @Field(() => ClientAccessMode)
  access!: ClientAccessMode;

  @Field(() => [ID], {
    nullable: true,
    description: 'Agency users given access when access is SELECTED_USERS.',
  })
  userIds?: string[] | null;
}

@InputType()
export class AddOrganizationAccountInput {
  @Field(() => ID)
  organizationId!: string;

  @Field()
  name!: string;

  @Field(() => Product)
  product!: Product;
}

@InputType()
export class AddMemberInput {
  @Field(() => ID)
  accountId!: string;

  @Field()
  email!: string;

  @Field()
  name!: string;

  @Field(() => Role)
  role!: Role;
}

@InputType()
export class SetClientAccessInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => ClientAccessMode)
  access!: ClientAccessMode;

  @Field(() => [ID], { nullable: true })
  userIds?: string[] | null;
}

@InputType()
export class SetConnectionAccessInput {
  @Field(() => ID)
  connectionId!: string;

  @Field(() => ClientAccessMode)
  access!: ClientAccessMode;

  @Field(() => [ID], { nullable: true })
  userIds?: string[] | null;
}

@InputType()
export class RequestConnectionInput {
  @Field(() => ID)
  fromAccountId!: string;

  @Field(() => ID)
  toAccountId!: string;
}

@InputType()
export class CreateReportingItemInput {
  @Field(() => ID)
  accountId!: string;

  @Field()
  name!: string;
}

@InputType()
export class CreateReportInput {
  @Field(() => ID)
  accountId!: string;

  @Field()
  name!: string;

  @Field(() => [ID], { nullable: true })
  itemIds?: string[] | null;

  @Field(() => ReportVisibility, { defaultValue: ReportVisibility.ACCOUNT, nullable: true })
  visibility!: ReportVisibility;

  @Field(() => [ID], {
    nullable: true,
    description: 'Users who may see a RESTRICTED report besides its creator and admins.',
  })
  sharedWithUserIds?: string[] | null;
}

@InputType()
export class AddReportItemsInput {
  @Field(() => ID)
  reportId!: string;

  @Field(() => [ID])
  itemIds!: string[];
}

@InputType()
export class CreateIntegrationInput {
  @Field(() => ID)
  ownerAccountId!: string;

  @Field()
  name!: string;

  @Field()
  adServer!: string;
}

@InputType()
export class MapAdvertiserInput {
  @Field(() => ID)
  integrationId!: string;

  @Field(() => ID)
  clientAccountId!: string;

  @Field()
  externalAdvertiserId!: string;
}

@InputType()
export class RecordCampaignDataInput {
  @Field(() => ID)
  itemId!: string;

  @Field()
  impressions!: number;

  @Field()
  clicks!: number;

  @Field()
  reach!: number;
}

@InputType()
export class ExportReportInput {
  @Field(() => ID)
  reportId!: string;

  @Field(() => ExportFormat)
  format!: ExportFormat;
}

@InputType()
export class ConvertClientToPremiumInput {
  @Field(() => ID)
  clientAccountId!: string;

  @Field()
  contractReference!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      "R21, R24: one of the client's own users, who becomes the premium client's ADMIN (a premium needs one; LAST_ADMIN without it).",
  })
  adminUserId?: string | null;
}

@InputType()
export class CreateApiTokenInput {
  @Field(() => ID)
  accountId!: string;

  @Field()
  name!: string;
}

@InputType()
export class RemoveMemberInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => ID)
  userId!: string;
}

@InputType()
export class ChangeMemberRoleInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => Role)
  role!: Role;
}

@InputType()
export class ShareReportInput {
  @Field(() => ID)
  reportId!: string;

  @Field(() => [ID])
  userIds!: string[];
}

@InputType()
export class UpdateReportInput {
  @Field(() => ID)
  reportId!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => ReportVisibility, { nullable: true })
  visibility?: ReportVisibility | null;
}

@InputType()
export class RemoveReportItemsInput {
  @Field(() => ID)
  reportId!: string;

  @Field(() => [ID])
  itemIds!: string[];
}

@InputType()
export class ScheduleDisconnectionInput {
  @Field(() => ID, { nullable: true, description: 'Exactly one of connectionId, clientAccountId.' })
  connectionId?: string | null;

  @Field(() => ID, { nullable: true })
  clientAccountId?: string | null;

  @Field(() => Date, {
    description: 'R31: at least 1 hour and at most 365 days ahead.',
  })
  runAt!: Date;
}
