import {
  AfterLoad,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { ClientAccessMode, ConnectionStatus } from './enums';
import { Account } from './account.entity';
import { User } from './user.entity';
import { Node } from './node.interface';

/**
 * An agency <-> premium client link with its history (R1, R8). Reconnecting makes a new row;
 * the partial unique index allows at most one PENDING or ACTIVE connection per pair.
 */
@Entity('agency_connections')
@Index('agency_connections_open_pair_key', ['agencyId', 'premiumClientId'], {
  unique: true,
  where: `"status" IN ('PENDING', 'ACTIVE')`,
})
@Index('agency_connections_premium_idx', ['premiumClientId'])
@ObjectType({ implements: Node, simpleResolvers: true })
export class AgencyConnection implements Node {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  agencyId!: string;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id' })
  agency?: Relation<Account>;

  @Column('uuid')
  premiumClientId!: string;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'premium_client_id' })
  premiumClient?: Relation<Account>;

  @Field(() => ConnectionStatus)
  @Column({ type: 'enum', enum: ConnectionStatus, enumName: 'connection_status' })
  status!: ConnectionStatus;

  /** The side that asked; the other side accepts or declines. */
  @Column('uuid')
  requestedByAccountId!: string;

  @Column('uuid', { nullable: true })
  requestedById!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'requested_by_id' })
  requestedBy?: Relation<User> | null;

  @Field(() => Date)
  @Column('timestamptz', { default: () => 'now()' })
  requestedAt!: Date;

  /** R26: a PENDING request expires 30 days after it was sent. */
  @Field(() => Date, {
    nullable: true,
    description: 'When a PENDING request expires (30 days after it was sent).',
  })
  @Column('timestamptz', { nullable: true, default: () => "now() + interval '30 days'" })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { nullable: true })
  respondedAt!: Date | null;

  @Column('uuid', { nullable: true })
  respondedById!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'responded_by_id' })
  respondedBy?: Relation<User> | null;

  /**
   * Which of the agency's users work on the premium client through this connection (agency
   * ADMINs always; others when EVERYONE_IN_AGENCY or selected in connection_access_grants).
   */
  @Field(() => ClientAccessMode, {
    nullable: true,
    description:
      "Which of the agency's users work on the premium client through this connection; set by the agency's ADMIN or ACCOUNT_MANAGER, per connection.",
  })
  @Column({
    type: 'enum',
    enum: ClientAccessMode,
    enumName: 'client_access_mode',
    default: ClientAccessMode.EVERYONE_IN_AGENCY,
  })
  clientAccess!: ClientAccessMode;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { nullable: true })
  disconnectedAt!: Date | null;

  @Column('uuid', { nullable: true })
  disconnectedById!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'disconnected_by_id' })
  disconnectedBy?: Relation<User> | null;

  /**
   * R26 at read time: a PENDING request past its expiresAt is EXPIRED for everyone who loads it,
   * before the relay worker persists it (src/jobs/connection-expiry.ts). Writes that act on
   * a request read it through this entity, so none ever answers a stale PENDING.
   */
  @AfterLoad()
  protected expireWhenDue() {
    if (
      this.status === ConnectionStatus.PENDING &&
      this.expiresAt &&
      this.expiresAt.getTime() <= Date.now()
    ) {
      this.status = ConnectionStatus.EXPIRED;
    }
  }
}
