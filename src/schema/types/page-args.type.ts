import { ArgsType, Field, Int } from 'type-graphql';

/** `first` and `after` of every paginated list field (issue 10: keyset pages). */
@ArgsType()
export class PageArgsType {
  @Field(() => Int, { nullable: true })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}
