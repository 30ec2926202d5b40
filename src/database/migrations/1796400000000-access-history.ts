import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each versioned table: its key, and the columns reviews of a past moment look rows up by. */
const VERSIONED: Record<string, { key: string[]; lookups: string[][] }> = {
  users: { key: ['id'], lookups: [] },
  accounts: { key: ['id'], lookups: [['agency_id']] },
  memberships: { key: ['id'], lookups: [['user_id'], ['account_id']] },
  client_access_grants: { key: ['account_id', 'user_id'], lookups: [['user_id']] },
  agency_connections: { key: ['id'], lookups: [['agency_id'], ['premium_client_id']] },
  connection_access_grants: { key: ['connection_id', 'user_id'], lookups: [['user_id']] },
  archived_account_access: { key: ['account_id', 'user_id'], lookups: [['user_id']] },
  archived_report_access: { key: ['report_id', 'user_id'], lookups: [['user_id']] },
};

/**
 * Issue 25, R30: the complete half of the audit log — every version of every row that decides
 * who reaches or acts for what, with the moments it was true. `audit_events` says who did what
 * and why (R22, R27) but is written by the services, so a path they forget is a hole in the
 * past; these rows are written by PostgreSQL itself for every INSERT, UPDATE and DELETE of the
 * versioned tables (statement triggers over transition tables: set-based, one extra statement
 * per statement, whatever the number of rows — archiving thousands of reports' R16 snapshots
 * stays one INSERT). accessReview(at:) runs the relations of permissions/authority.ts over them.
 *
 * `access_history.<table>` has the table's own columns in the same order, plus `valid`: the
 * moments (clock_timestamp of the writing statement) the version was the row. The rows that
 * exist when this runs are backfilled as valid from now: `complete_since` says so, and a review
 * of an earlier moment is refused rather than guessed.
 */
export class AccessHistory1796400000000 implements MigrationInterface {
  name = 'AccessHistory1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA access_history`);
    await queryRunner.query(
      `CREATE TABLE access_history.complete_since (since timestamptz NOT NULL)`,
    );
    await queryRunner.query(`INSERT INTO access_history.complete_since VALUES (clock_timestamp())`);
    // TG_ARGV: the table's key columns. Columns are named, those both tables have: a column a
    // migration adds to the table before its history is never a failed write, only a column not
    // yet versioned (test/permissions/access-history.test.ts holds the two in step). A range
    // never runs backwards, even if the clock does.
    await queryRunner.query(`
      CREATE FUNCTION access_history.record_versions() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        moment timestamptz := clock_timestamp();
        same_key text := (SELECT string_agg(format('h.%1$I = o.%1$I', k), ' AND ')
                            FROM unnest(TG_ARGV) AS k);
        shared_columns text := (
          SELECT string_agg(quote_ident(h.attname), ', ' ORDER BY h.attnum)
            FROM pg_attribute h JOIN pg_attribute t
                 ON t.attrelid = TG_RELID AND t.attname = h.attname AND t.attnum > 0
                AND NOT t.attisdropped
           WHERE h.attrelid = format('access_history.%I', TG_TABLE_NAME)::regclass
             AND h.attnum > 0 AND NOT h.attisdropped AND h.attname <> 'valid');
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          EXECUTE format(
            'UPDATE access_history.%I h SET valid = tstzrange(lower(h.valid), greatest(lower(h.valid), $1))
               FROM old_rows o WHERE upper_inf(h.valid) AND %s', TG_TABLE_NAME, same_key)
          USING moment;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          EXECUTE format(
            'INSERT INTO access_history.%1$I (%2$s, valid)
             SELECT %2$s, tstzrange($1, NULL) FROM new_rows',
            TG_TABLE_NAME, shared_columns)
          USING moment;
        END IF;
        RETURN NULL;
      END
      $fn$`);
    for (const [table, key] of Object.entries(VERSIONED)) {
      await queryRunner.query(
        `CREATE TABLE access_history."${table}" (LIKE public."${table}" INCLUDING DEFAULTS)`,
      );
      await queryRunner.query(
        `ALTER TABLE access_history."${table}" ADD COLUMN valid tstzrange NOT NULL`,
      );
      for (const columns of [key.key, ...key.lookups]) {
        await queryRunner.query(
          `CREATE INDEX ON access_history."${table}" (${columns.map((c) => `"${c}"`).join(', ')})`,
        );
      }
      await queryRunner.query(
        `INSERT INTO access_history."${table}"
         SELECT t.*, tstzrange((SELECT since FROM access_history.complete_since), NULL)
           FROM public."${table}" t`,
      );
      const args = key.key.map((c) => `'${c}'`).join(', ');
      await queryRunner.query(
        `CREATE TRIGGER access_history_insert AFTER INSERT ON public."${table}"
           REFERENCING NEW TABLE AS new_rows
           FOR EACH STATEMENT EXECUTE FUNCTION access_history.record_versions(${args})`,
      );
      await queryRunner.query(
        `CREATE TRIGGER access_history_update AFTER UPDATE ON public."${table}"
           REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
           FOR EACH STATEMENT EXECUTE FUNCTION access_history.record_versions(${args})`,
      );
      await queryRunner.query(
        `CREATE TRIGGER access_history_delete AFTER DELETE ON public."${table}"
           REFERENCING OLD TABLE AS old_rows
           FOR EACH STATEMENT EXECUTE FUNCTION access_history.record_versions(${args})`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of Object.keys(VERSIONED)) {
      for (const op of ['insert', 'update', 'delete']) {
        await queryRunner.query(`DROP TRIGGER access_history_${op} ON public."${table}"`);
      }
    }
    await queryRunner.query(`DROP SCHEMA access_history CASCADE`);
  }
}
