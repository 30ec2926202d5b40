import {
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { AgencyConnection } from './agency-connection.entity';
import { User } from './user.entity';

/**
 * An agency user selected to work on the premium client of one connection in SELECTED_USERS
 * mode. Per connection, so each agency decides for its own users (domain.md, client access).
 */
@Entity('connection_access_grants')
@Index('connection_access_grants_user_idx', ['userId'])
export class ConnectionAccessGrant {
  @PrimaryColumn('uuid')
  connectionId!: string;

  @PrimaryColumn('uuid')
  userId!: string;

  @ManyToOne(() => AgencyConnection, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'connection_id' })
  connection?: Relation<AgencyConnection>;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
