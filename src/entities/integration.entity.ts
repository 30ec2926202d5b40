import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BaseRecord } from './base-record';
import { Field, ObjectType } from 'type-graphql';
import { Account } from './account.entity';
import { User } from './user.entity';
import { Node } from './node.interface';

/** A connection to an ad server, set up on an AGENCY or PREMIUM_CLIENT account (R3). */
@Entity('integrations')
@Index('integrations_owner_idx', ['ownerAccountId'])
@ObjectType({ implements: Node, simpleResolvers: true })
export class Integration extends BaseRecord implements Node {
  @Field()
  @Column('text')
  name!: string;

  /** Key of the ad-server adapter (e.g. SIMULATED). */
  @Field()
  @Column('text')
  adServer!: string;

  @Column('uuid')
  ownerAccountId!: string;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'owner_account_id' })
  ownerAccount?: Relation<Account>;

  @Column('uuid', { nullable: true })
  createdById!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'created_by_id' })
  createdBy?: Relation<User> | null;
}
