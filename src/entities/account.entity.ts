import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BaseRecord } from './base-record';
import { Field, ObjectType } from 'type-graphql';
import { AccountStatus, AccountType, ClientAccessMode, Product } from './enums';
import { Node } from './node.interface';
import { Organization } from './organization.entity';

@Entity('accounts')
@Index('accounts_agency_status_created_idx', ['agencyId', 'status', 'createdAt'])
@Index('accounts_organization_idx', ['organizationId'])
@ObjectType({ implements: Node, simpleResolvers: true })
export class Account extends BaseRecord implements Node {
  @Field()
  @Column('text')
  name!: string;

  @Field(() => AccountType)
  @Column({ type: 'enum', enum: AccountType, enumName: 'account_type' })
  type!: AccountType;

  @Field(() => Product)
  @Column({ type: 'enum', enum: Product, enumName: 'product', default: Product.AUDIENCE_REPORT })
  product!: Product;

  @Field(() => AccountStatus)
  @Column({
    type: 'enum',
    enum: AccountStatus,
    enumName: 'account_status',
    default: AccountStatus.ACTIVE,
  })
  status!: AccountStatus;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { nullable: true })
  archivedAt!: Date | null;

  @Column('uuid')
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Relation<Organization>;

  /** The owning agency of a CLIENT account (R2); null for other types. */
  @Column('uuid', { nullable: true })
  agencyId!: string | null;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'agency_id' })
  agency?: Relation<Account> | null;

  /** Which agency users may work on a CLIENT (a premium client's access is per connection). */
  @Field(() => ClientAccessMode, { nullable: true })
  @Column({ type: 'enum', enum: ClientAccessMode, enumName: 'client_access_mode', nullable: true })
  clientAccess!: ClientAccessMode | null;

  /** R21: the contract that made a CLIENT a PREMIUM_CLIENT. */
  @Column('text', { nullable: true })
  contractReference!: string | null;
}
