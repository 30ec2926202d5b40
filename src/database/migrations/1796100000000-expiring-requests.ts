import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R26: a PENDING connection request expires 30 days after it was sent. `expires_at` is fixed when
 * the request is made; EXPIRED is the state a request nobody answered in time ends in.
 */
export class ExpiringRequests1796100000000 implements MigrationInterface {
  name = 'ExpiringRequests1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TYPE "public"."connection_status" ADD VALUE IF NOT EXISTS 'EXPIRED'`,
    );
    await queryRunner.query(
      `ALTER TABLE "agency_connections" ADD "expires_at" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(
      `UPDATE agency_connections SET expires_at = requested_at + interval '30 days'`,
    );
    await queryRunner.query(
      `ALTER TABLE "agency_connections" ALTER COLUMN "expires_at" SET DEFAULT now() + interval '30 days'`,
    );
    await queryRunner.query(
      `CREATE INDEX "agency_connections_pending_expiry_idx" ON "agency_connections" ("expires_at") WHERE "status" = 'PENDING'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // PostgreSQL cannot drop an enum value; EXPIRED stays in the type.
    await queryRunner.query(`DROP INDEX "public"."agency_connections_pending_expiry_idx"`);
    await queryRunner.query(`ALTER TABLE "agency_connections" DROP COLUMN "expires_at"`);
  }
}
