import { Field, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true })
export class UserError {
  @Field()
  code!: string;

  @Field()
  message!: string;

  @Field(() => [String], { nullable: true })
  field?: string[] | null;
}
