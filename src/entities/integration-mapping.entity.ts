import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BaseRecord } from './base-record';
import { Field, ID, ObjectType } from 'type-graphql';
import { MappingStatus } from './enums';
import { Account } from './account.entity';
import { Integration } from './integration.entity';

/** One advertiser of an integration mapped to a client/premium account; paused on its own (R7, R13). */
@Entity('integration_mappings')
@Index('integration_mappings_advertiser_key', ['integrationId', 'externalAdvertiserId'], {
  unique: true,
})
@Index('integration_mappings_client_idx', ['clientAccountId'])
@ObjectType({ simpleResolvers: true })
export class IntegrationMapping extends BaseRecord {
  @Field(() => ID)
  declare id: string;

  @Column('uuid')
  integrationId!: string;

  @ManyToOne(() => Integration, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'integration_id' })
  integration?: Relation<Integration>;

  @Column('uuid')
  clientAccountId!: string;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'client_account_id' })
  clientAccount?: Relation<Account>;

  @Field()
  @Column('text')
  externalAdvertiserId!: string;

  @Field(() => MappingStatus)
  @Column({
    type: 'enum',
    enum: MappingStatus,
    enumName: 'mapping_status',
    default: MappingStatus.ACTIVE,
  })
  status!: MappingStatus;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { nullable: true })
  pausedAt!: Date | null;
}
