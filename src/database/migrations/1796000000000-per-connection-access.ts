import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Client access for a connected premium client moves onto the connection (domain.md, client
 * access): each agency decides for its own users. Every connection keeps what its agency's users
 * had until now — the premium's mode, and those of the premium's selected users who are members of
 * that connection's agency — and the premium account itself no longer carries a setting.
 */
export class PerConnectionAccess1796000000000 implements MigrationInterface {
  name = 'PerConnectionAccess1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "agency_connections" ADD "client_access" "public"."client_access_mode" NOT NULL DEFAULT 'EVERYONE_IN_AGENCY'`,
    );
    await queryRunner.query(
      `CREATE TABLE "connection_access_grants" ("connection_id" uuid NOT NULL, "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_connection_access_grants" PRIMARY KEY ("connection_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "connection_access_grants_user_idx" ON "connection_access_grants"  ("user_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "connection_access_grants" ADD CONSTRAINT "FK_connection_access_grants_connection" FOREIGN KEY ("connection_id") REFERENCES "agency_connections"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "connection_access_grants" ADD CONSTRAINT "FK_connection_access_grants_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `UPDATE agency_connections k SET client_access = p.client_access
         FROM accounts p WHERE p.id = k.premium_client_id AND p.client_access IS NOT NULL`,
    );
    await queryRunner.query(
      `INSERT INTO connection_access_grants (connection_id, user_id)
       SELECT k.id, g.user_id
         FROM agency_connections k
         JOIN client_access_grants g ON g.account_id = k.premium_client_id
         JOIN memberships m ON m.account_id = k.agency_id AND m.user_id = g.user_id
        WHERE k.status IN ('PENDING', 'ACTIVE')`,
    );
    await queryRunner.query(
      `DELETE FROM client_access_grants g USING accounts p
        WHERE p.id = g.account_id AND p.type = 'PREMIUM_CLIENT'`,
    );
    await queryRunner.query(`UPDATE accounts SET client_access = NULL WHERE type <> 'CLIENT'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // The per-connection settings cannot be folded back into one per premium without choosing
    // between agencies; the down migration keeps the schema step only.
    await queryRunner.query(`DROP TABLE "connection_access_grants"`);
    await queryRunner.query(`ALTER TABLE "agency_connections" DROP COLUMN "client_access"`);
  }
}
