import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { BaseRecord } from './base-record';
import { Account } from './account.entity';
import { AgencyConnection } from './agency-connection.entity';
import { ScheduleStatus } from './enums';
import { Node } from './node.interface';
import { User } from './user.entity';

/**
 * R31: a disconnection planned for `runAt`, of a connection (agency <-> premium) or of a CLIENT
 * account — exactly one of the two. At most one SCHEDULED per connection and per client (the
 * partial unique indexes). `schedulingAccountId` is the account it runs on behalf of (the side
 * whose decider scheduled it); `leaseUntil` keeps a claimed run from being claimed again until
 * it has had time to finish (a crashed worker's claim expires). `remindersSent` holds the reminder
 * kinds already queued ('7d', '1d').
 */
@Entity('scheduled_disconnections')
@Check(
  'scheduled_disconnections_one_target',
  `num_nonnulls("connection_id", "client_account_id") = 1`,
)
@Index('scheduled_disconnections_one_per_connection', ['connectionId'], {
  unique: true,
  where: `"status" = 'SCHEDULED'`,
})
@Index('scheduled_disconnections_one_per_client', ['clientAccountId'], {
  unique: true,
  where: `"status" = 'SCHEDULED'`,
})
@Index('scheduled_disconnections_due_idx', ['runAt'], { where: `"status" = 'SCHEDULED'` })
@ObjectType({ implements: Node, simpleResolvers: true })
export class ScheduledDisconnection extends BaseRecord implements Node {
  @Column('uuid', { nullable: true })
  connectionId!: string | null;

  @ManyToOne(() => AgencyConnection, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'connection_id' })
  connection?: Relation<AgencyConnection> | null;

  @Column('uuid', { nullable: true })
  clientAccountId!: string | null;

  @ManyToOne(() => Account, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'client_account_id' })
  clientAccount?: Relation<Account> | null;

  @Column('uuid')
  schedulingAccountId!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'scheduling_account_id' })
  schedulingAccount?: Relation<Account>;

  @Field(() => Date)
  @Column('timestamptz')
  runAt!: Date;

  @Field(() => ScheduleStatus)
  @Column({
    type: 'enum',
    enum: ScheduleStatus,
    enumName: 'schedule_status',
    default: ScheduleStatus.SCHEDULED,
  })
  status!: ScheduleStatus;

  @Column('uuid', { nullable: true })
  scheduledById!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'scheduled_by_id' })
  scheduledBy?: Relation<User> | null;

  @Field(() => Date)
  @Column('timestamptz', { default: () => 'now()' })
  scheduledAt!: Date;

  @Column('uuid', { nullable: true })
  cancelledById!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'cancelled_by_id' })
  cancelledBy?: Relation<User> | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { nullable: true })
  cancelledAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { nullable: true })
  ranAt!: Date | null;

  /** FAILED: why the run could not disconnect (told to the scheduler by email). */
  @Field(() => String, {
    nullable: true,
    description: 'FAILED: why the run could not disconnect (nothing was changed).',
  })
  @Column('text', { nullable: true })
  failureReason!: string | null;

  @Column('timestamptz', { nullable: true })
  leaseUntil!: Date | null;

  @Column('int', { default: 0 })
  attempts!: number;

  @Column('text', { array: true, default: () => `'{}'` })
  remindersSent!: string[];
}
