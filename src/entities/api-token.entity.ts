import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BaseRecord } from './base-record';
import { Account } from './account.entity';
import { User } from './user.entity';

/** A read-only partner token (R18). Only the SHA-256 of the secret is stored. */
@Entity('api_tokens')
@Index('api_tokens_hash_key', ['tokenHash'], { unique: true })
@Index('api_tokens_account_idx', ['accountId'])
export class ApiToken extends BaseRecord {
  @Column('text')
  name!: string;

  @Column('text')
  tokenHash!: string;

  @Column('uuid')
  accountId!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: Relation<Account>;

  @Column('uuid')
  createdById!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'created_by_id' })
  createdBy?: Relation<User>;

  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  lastUsedAt!: Date | null;
}
