import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10: indexes for lists driven from the viewer (plans in bench/plans/).
 * - reports (account_id, status, created_at, id) now carries visibility and created_by_id, so a
 *   viewer's report count over their accounts is an index-only scan, and RESTRICTED reports are
 *   decided from the index entry (creator) before the row is read. Same name and key columns as
 *   before (the entity declares them; TypeORM does not model INCLUDE).
 * - archived_report_access (user_id, report_id): a user's archived list starts from their own R16
 *   rows, index-only; replaces (user_id).
 */
export class ViewerDrivenListIndexes1796200000000 implements MigrationInterface {
  name = 'ViewerDrivenListIndexes1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."reports_account_status_created_idx"`);
    await queryRunner.query(
      `CREATE INDEX "reports_account_status_created_idx" ON "reports" ("account_id", "status", "created_at", "id") INCLUDE ("visibility", "created_by_id")`,
    );
    await queryRunner.query(`DROP INDEX "public"."archived_report_access_user_idx"`);
    await queryRunner.query(
      `CREATE INDEX "archived_report_access_user_report_idx" ON "archived_report_access" ("user_id", "report_id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."archived_report_access_user_report_idx"`);
    await queryRunner.query(
      `CREATE INDEX "archived_report_access_user_idx" ON "archived_report_access" ("user_id")`,
    );
    await queryRunner.query(`DROP INDEX "public"."reports_account_status_created_idx"`);
    await queryRunner.query(
      `CREATE INDEX "reports_account_status_created_idx" ON "reports" ("account_id", "status", "created_at", "id")`,
    );
  }
}
