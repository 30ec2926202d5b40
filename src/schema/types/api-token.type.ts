import { Field, ID, ObjectType } from 'type-graphql';
import { UserError } from './user-error.type';

/** A partner API token as admins see it (R18). The secret is never served again. */
@ObjectType('ApiToken', { simpleResolvers: true })
export class ApiTokenInfo {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => ID, { description: 'The account the token is scoped to.' })
  accountId!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  @Field()
  revoked!: boolean;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class RevokeApiTokenPayload {
  @Field(() => ApiTokenInfo, { nullable: true })
  apiToken?: ApiTokenInfo | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
