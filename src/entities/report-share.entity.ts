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

/** A user explicitly given a RESTRICTED report. */
@Entity('report_shares')
@Index('report_shares_user_idx', ['userId'])
export class ReportShare {
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
  createdAt!: Date;
}
