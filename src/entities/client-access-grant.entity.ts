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

/** An agency user selected for a CLIENT or premium account in SELECTED_USERS mode. */
@Entity('client_access_grants')
@Index('client_access_grants_user_idx', ['userId'])
export class ClientAccessGrant {
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
  createdAt!: Date;
}
