import {
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { Account } from './account.entity';
import { User } from './user.entity';

/**
 * R16 snapshot at the granularity of the rule: who could open the account's ACCOUNT-visibility
 * reports when the account was archived — everyone who reached it then. One row per (account,
 * user) instead of one per (report, user); RESTRICTED reports keep per-report rows in
 * `archived_report_access`, since who opens them differs per report. Written once by the
 * archiving transaction; nobody is added afterwards.
 */
@Entity('archived_account_access')
@Index('archived_account_access_user_account_idx', ['userId', 'accountId'])
export class ArchivedAccountAccess {
  @PrimaryColumn('uuid')
  accountId!: string;

  @PrimaryColumn('uuid')
  userId!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: Relation<Account>;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @CreateDateColumn({ type: 'timestamptz' })
  recordedAt!: Date;
}
