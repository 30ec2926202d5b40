import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { Node } from './node.interface';

/** Append-only record of connection changes and disconnections (R22). */
@Entity('audit_events')
@Index('audit_events_account_idx', ['accountId', 'occurredAt'])
@Index('audit_events_related_account_idx', ['relatedAccountId', 'occurredAt'])
@ObjectType({ implements: Node, simpleResolvers: true })
export class AuditEvent implements Node {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column('text')
  action!: string;

  @Column('uuid', { nullable: true })
  actorId!: string | null;

  @Column('uuid', { nullable: true })
  accountId!: string | null;

  /** The other account involved (the agency of a client, the other side of a connection). */
  @Column('uuid', { nullable: true })
  relatedAccountId!: string | null;

  @Column('text', { nullable: true })
  requestId!: string | null;

  @Column('jsonb', { default: {} })
  details!: Record<string, unknown>;

  @Field(() => Date)
  @Column('timestamptz', { default: () => 'now()' })
  occurredAt!: Date;
}
