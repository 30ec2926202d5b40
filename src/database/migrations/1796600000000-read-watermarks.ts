import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 27: reads on hot standbys without breaking I3. `replication_watermarks` holds, on the
 * primary, the WAL position a standby must have replayed before it may serve a request: key
 * `access` for the last commit that took access away from anyone, `user:<id>` for the last commit
 * of that user's own writes (read-your-writes). The statement triggers mark a transaction that
 * updates or deletes rows deciding access, so the commit helper (services/transaction.ts) knows,
 * whatever the operation, whether to raise `access` after commit.
 */
const ACCESS_TABLES = [
  'users',
  'accounts',
  'memberships',
  'client_access_grants',
  'agency_connections',
  'connection_access_grants',
  'archived_account_access',
  'archived_report_access',
  'reports',
  'report_shares',
];

export class ReadWatermarks1796600000000 implements MigrationInterface {
  name = 'ReadWatermarks1796600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "replication_watermarks" ("key" text PRIMARY KEY, "lsn" pg_lsn NOT NULL,
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())`,
    );
    await queryRunner.query(
      `CREATE FUNCTION mark_access_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM set_config('handover.access_changed', 'on', true);
         RETURN NULL;
       END $$`,
    );
    for (const table of ACCESS_TABLES) {
      await queryRunner.query(
        `CREATE TRIGGER "${table}_marks_access_change" AFTER UPDATE OR DELETE ON "${table}"
           FOR EACH STATEMENT EXECUTE FUNCTION mark_access_change()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ACCESS_TABLES) {
      await queryRunner.query(`DROP TRIGGER "${table}_marks_access_change" ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION mark_access_change()`);
    await queryRunner.query(`DROP TABLE "replication_watermarks"`);
  }
}
