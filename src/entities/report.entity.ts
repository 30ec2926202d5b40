import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BaseRecord } from './base-record';
import { Field, ObjectType } from 'type-graphql';
import { ReportStatus, ReportVisibility } from './enums';
import { Account } from './account.entity';
import { User } from './user.entity';
import { Node } from './node.interface';

/** A named set of reporting items of one account. ARCHIVED reports are read-only (R11). */
@Entity('reports')
@Index('reports_status_created_idx', ['status', 'createdAt', 'id'])
@Index('reports_account_status_created_idx', ['accountId', 'status', 'createdAt', 'id'])
@ObjectType({ implements: Node, simpleResolvers: true })
export class Report extends BaseRecord implements Node {
  @Field()
  @Column('text')
  name!: string;

  @Column('uuid')
  accountId!: string;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_id' })
  account?: Relation<Account>;

  @Field(() => ReportVisibility)
  @Column({
    type: 'enum',
    enum: ReportVisibility,
    enumName: 'report_visibility',
    default: ReportVisibility.ACCOUNT,
  })
  visibility!: ReportVisibility;

  @Column({
    type: 'enum',
    enum: ReportStatus,
    enumName: 'report_status',
    default: ReportStatus.ACTIVE,
  })
  status!: ReportStatus;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { nullable: true })
  archivedAt!: Date | null;

  @Column('uuid', { nullable: true })
  createdById!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'created_by_id' })
  createdBy?: Relation<User> | null;

  @Field(() => Date)
  declare createdAt: Date;
}
