import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { Node } from './node.interface';

@Entity('organizations')
@ObjectType({ implements: Node, simpleResolvers: true })
export class Organization implements Node {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column('text')
  name!: string;

  /** R20: set when the organization's last active account was disconnected. */
  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { nullable: true })
  removedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
