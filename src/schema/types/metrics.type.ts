import { Field, Float, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true })
export class Metrics {
  @Field(() => Float)
  impressions!: number;

  @Field(() => Float)
  clicks!: number;

  @Field(() => Float)
  reach!: number;
}
