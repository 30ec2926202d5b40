import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11: the R16 snapshot at the granularity of the rule. An archived account's
 * ACCOUNT-visibility reports are open to who reached the account when it was archived — one row
 * per (account, user) here instead of one per (report, user); RESTRICTED reports keep their
 * per-report rows. Rows written before this migration stay as they are and keep working: the
 * read predicate accepts either form.
 */
export class ArchivedAccountAccess1796300000000 implements MigrationInterface {
  name = 'ArchivedAccountAccess1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "archived_account_access" ("account_id" uuid NOT NULL, "user_id" uuid NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b404c950680aa1c3fed61334821" PRIMARY KEY ("account_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "archived_account_access_user_account_idx" ON "archived_account_access" ("user_id", "account_id")`,
    );
    await queryRunner.query(
      `ALTER TABLE "archived_account_access" ADD CONSTRAINT "FK_9ca3e6cf8040be2aa204f247396" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "archived_account_access" ADD CONSTRAINT "FK_0eb931d2c73a01058e59db0e27d" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "archived_account_access"`);
  }
}
