import { Field, ObjectType } from 'type-graphql';
import { USER_ERROR_CODE_DESCRIPTION } from '../../shared/errors';

@ObjectType({ simpleResolvers: true })
export class UserError {
  @Field({ description: USER_ERROR_CODE_DESCRIPTION })
  code!: string;

  @Field()
  message!: string;

  @Field(() => [String], { nullable: true })
  field?: string[] | null;
}
