import { CreateDateColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The id and creation time most tables share, with the column options their migrations were
 * written for. No GraphQL fields here: whether a type exposes `id` or `createdAt` is each
 * entity's own declaration.
 */
export abstract class BaseRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
