import {
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { Report } from './report.entity';
import { User } from './user.entity';

/**
 * R16 snapshot: who could open a report at the moment it was archived. Written once by the
 * archiving transaction; nobody is added afterwards.
 */
@Entity('archived_report_access')
@Index('archived_report_access_user_report_idx', ['userId', 'reportId'])
export class ArchivedReportAccess {
  @PrimaryColumn('uuid')
  reportId!: string;

  @PrimaryColumn('uuid')
  userId!: string;

  @ManyToOne(() => Report, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id' })
  report?: Relation<Report>;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @CreateDateColumn({ type: 'timestamptz' })
  recordedAt!: Date;
}
