import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BaseRecord } from './base-record';
import { Field, ObjectType } from 'type-graphql';
import { Role } from './enums';
import { Account } from './account.entity';
import { User } from './user.entity';

@Entity('memberships')
@Index('memberships_user_account_key', ['userId', 'accountId'], { unique: true })
@Index('memberships_account_idx', ['accountId'])
@ObjectType({ simpleResolvers: true })
export class Membership extends BaseRecord {
  @Column('uuid')
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @Column('uuid')
  accountId!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: Relation<Account>;

  @Field(() => Role)
  @Column({ type: 'enum', enum: Role, enumName: 'role' })
  role!: Role;
}
