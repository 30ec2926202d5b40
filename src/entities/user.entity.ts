import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BaseRecord } from './base-record';
import { Field, ObjectType } from 'type-graphql';
import { Node } from './node.interface';
import { Organization } from './organization.entity';

@Entity('users')
@ObjectType({ implements: Node, simpleResolvers: true })
export class User extends BaseRecord implements Node {
  /** Stored lower-cased; unique. */
  @Field()
  @Index('users_email_key', { unique: true })
  @Column('text')
  email!: string;

  @Field()
  @Column('text')
  name!: string;

  /** Deactivated users (R20) cannot authenticate. */
  @Field()
  @Column('boolean', { default: true })
  active!: boolean;

  /** Platform staff (customer success). */
  @Field()
  @Column('boolean', { default: false })
  isStaff!: boolean;

  /** The organization the person belongs to; null for platform staff. */
  @Index('users_organization_idx')
  @Column('uuid', { nullable: true })
  organizationId!: string | null;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'organization_id' })
  organization?: Relation<Organization> | null;
}
