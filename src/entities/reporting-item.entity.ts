import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BaseRecord } from './base-record';
import { Field, ObjectType } from 'type-graphql';
import { ItemSource, ItemStatus } from './enums';
import { Account } from './account.entity';
import { Integration } from './integration.entity';
import { Node } from './node.interface';

/** A campaign line item with measured data. FROZEN items accept no data (R12). */
@Entity('reporting_items')
@Index('reporting_items_account_created_idx', ['accountId', 'createdAt'])
@Index('reporting_items_external_key', ['accountId', 'integrationId', 'externalId'], {
  unique: true,
  where: '"external_id" IS NOT NULL',
})
@ObjectType({ implements: Node, simpleResolvers: true })
export class ReportingItem extends BaseRecord implements Node {
  @Field()
  @Column('text')
  name!: string;

  @Column('uuid')
  accountId!: string;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_id' })
  account?: Relation<Account>;

  @Field(() => ItemSource)
  @Column({ type: 'enum', enum: ItemSource, enumName: 'item_source' })
  source!: ItemSource;

  @Field(() => ItemStatus)
  @Column({ type: 'enum', enum: ItemStatus, enumName: 'item_status', default: ItemStatus.ACTIVE })
  status!: ItemStatus;

  @Column('uuid', { nullable: true })
  integrationId!: string | null;

  @ManyToOne(() => Integration, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'integration_id' })
  integration?: Relation<Integration> | null;

  /** The campaign id in the ad server, for INTEGRATION items. */
  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  externalId!: string | null;

  @Column('double precision', { default: 0 })
  impressions!: number;

  @Column('double precision', { default: 0 })
  clicks!: number;

  @Column('double precision', { default: 0 })
  reach!: number;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { nullable: true })
  lastDataAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  frozenAt!: Date | null;
}
