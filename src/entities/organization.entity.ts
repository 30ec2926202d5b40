import { Column, Entity } from 'typeorm';
import { BaseRecord } from './base-record';
import { Field, ObjectType } from 'type-graphql';
import { Node } from './node.interface';

@Entity('organizations')
@ObjectType({ implements: Node, simpleResolvers: true })
export class Organization extends BaseRecord implements Node {
  @Field()
  @Column('text')
  name!: string;

  /** R20: set when the organization's last active account was disconnected. */
  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { nullable: true })
  removedAt!: Date | null;
}
