import { Column, Entity, Index } from 'typeorm';
import { BaseRecord } from './base-record';
import { OutboxStatus } from './enums';

/**
 * Transactional outbox (R19): rows are written in the disconnection's transaction and delivered
 * after commit by the mail relay. `dedupeKey` makes one message per disconnection and admin.
 */
@Entity('email_outbox')
@Index('email_outbox_dedupe_key', ['dedupeKey'], { unique: true })
@Index('email_outbox_due_idx', ['status', 'nextAttemptAt'])
export class EmailOutbox extends BaseRecord {
  @Column('text')
  dedupeKey!: string;

  @Column('text')
  toAddress!: string;

  @Column('text')
  subject!: string;

  @Column('text')
  body!: string;

  @Column({
    type: 'enum',
    enum: OutboxStatus,
    enumName: 'outbox_status',
    default: OutboxStatus.PENDING,
  })
  status!: OutboxStatus;

  @Column('int', { default: 0 })
  attempts!: number;

  @Column('timestamptz', { default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column('text', { nullable: true })
  lastError!: string | null;

  @Column('timestamptz', { nullable: true })
  sentAt!: Date | null;
}
