import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R31: disconnections planned ahead. One row per schedule; the partial unique indexes allow one
 * SCHEDULED per connection and per client, and the due index serves the scheduler's claim.
 */
export class ScheduledDisconnections1796500000000 implements MigrationInterface {
  name = 'ScheduledDisconnections1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."schedule_status" AS ENUM('SCHEDULED', 'CANCELLED', 'DONE', 'ALREADY_DISCONNECTED', 'FAILED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "scheduled_disconnections" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "connection_id" uuid, "client_account_id" uuid, "scheduling_account_id" uuid NOT NULL, "run_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" "public"."schedule_status" NOT NULL DEFAULT 'SCHEDULED', "scheduled_by_id" uuid, "scheduled_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "cancelled_by_id" uuid, "cancelled_at" TIMESTAMP WITH TIME ZONE, "ran_at" TIMESTAMP WITH TIME ZONE, "failure_reason" text, "lease_until" TIMESTAMP WITH TIME ZONE, "attempts" integer NOT NULL DEFAULT '0', "reminders_sent" text array NOT NULL DEFAULT '{}', CONSTRAINT "scheduled_disconnections_one_target" CHECK (num_nonnulls("connection_id", "client_account_id") = 1), CONSTRAINT "PK_0f5ac9150c924d64e4da0c3ec6c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "scheduled_disconnections_due_idx" ON "scheduled_disconnections"  ("run_at") WHERE "status" = 'SCHEDULED'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "scheduled_disconnections_one_per_client" ON "scheduled_disconnections"  ("client_account_id") WHERE "status" = 'SCHEDULED'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "scheduled_disconnections_one_per_connection" ON "scheduled_disconnections"  ("connection_id") WHERE "status" = 'SCHEDULED'`,
    );
    await queryRunner.query(
      `ALTER TABLE "scheduled_disconnections" ADD CONSTRAINT "FK_e327366bebeb16e80203f15c09f" FOREIGN KEY ("connection_id") REFERENCES "agency_connections"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "scheduled_disconnections" ADD CONSTRAINT "FK_561a23a7365738ad87f69925ab0" FOREIGN KEY ("client_account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "scheduled_disconnections" ADD CONSTRAINT "FK_7473b037a3e649c44b78ca31b83" FOREIGN KEY ("scheduling_account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "scheduled_disconnections" ADD CONSTRAINT "FK_3ecc45aa7a1990cf56289a0e7b3" FOREIGN KEY ("scheduled_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "scheduled_disconnections" ADD CONSTRAINT "FK_9fa4e98c1bf77e13dd405f5b6a0" FOREIGN KEY ("cancelled_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "scheduled_disconnections" DROP CONSTRAINT "FK_9fa4e98c1bf77e13dd405f5b6a0"`,
    );
    await queryRunner.query(
      `ALTER TABLE "scheduled_disconnections" DROP CONSTRAINT "FK_3ecc45aa7a1990cf56289a0e7b3"`,
    );
    await queryRunner.query(
      `ALTER TABLE "scheduled_disconnections" DROP CONSTRAINT "FK_7473b037a3e649c44b78ca31b83"`,
    );
    await queryRunner.query(
      `ALTER TABLE "scheduled_disconnections" DROP CONSTRAINT "FK_561a23a7365738ad87f69925ab0"`,
    );
    await queryRunner.query(
      `ALTER TABLE "scheduled_disconnections" DROP CONSTRAINT "FK_e327366bebeb16e80203f15c09f"`,
    );
    await queryRunner.query(`DROP INDEX "public"."scheduled_disconnections_one_per_connection"`);
    await queryRunner.query(`DROP INDEX "public"."scheduled_disconnections_one_per_client"`);
    await queryRunner.query(`DROP INDEX "public"."scheduled_disconnections_due_idx"`);
    await queryRunner.query(`DROP TABLE "scheduled_disconnections"`);
    await queryRunner.query(`DROP TYPE "public"."schedule_status"`);
  }
}
