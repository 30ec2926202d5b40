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
import { ReportingItem } from './reporting-item.entity';

@Entity('report_items')
@Index('report_items_item_idx', ['itemId'])
export class ReportItem {
  @PrimaryColumn('uuid')
  reportId!: string;

  @PrimaryColumn('uuid')
  itemId!: string;

  @ManyToOne(() => Report, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id' })
  report?: Relation<Report>;

  @ManyToOne(() => ReportingItem, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'item_id' })
  item?: Relation<ReportingItem>;

  @CreateDateColumn({ type: 'timestamptz' })
  addedAt!: Date;
}
