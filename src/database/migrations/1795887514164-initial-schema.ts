import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795887514164 implements MigrationInterface {
  name = 'InitialSchema1795887514164';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "organizations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "removed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."account_type" AS ENUM('AGENCY', 'PREMIUM_CLIENT', 'CLIENT')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."product" AS ENUM('AUDIENCE_REPORT', 'USER_REPORT', 'HUB', 'KITS')`,
    );
    await queryRunner.query(`CREATE TYPE "public"."account_status" AS ENUM('ACTIVE', 'ARCHIVED')`);
    await queryRunner.query(
      `CREATE TYPE "public"."client_access_mode" AS ENUM('EVERYONE_IN_AGENCY', 'SELECTED_USERS')`,
    );
    await queryRunner.query(
      `CREATE TABLE "accounts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "type" "public"."account_type" NOT NULL, "product" "public"."product" NOT NULL DEFAULT 'AUDIENCE_REPORT', "status" "public"."account_status" NOT NULL DEFAULT 'ACTIVE', "archived_at" TIMESTAMP WITH TIME ZONE, "organization_id" uuid NOT NULL, "agency_id" uuid, "client_access" "public"."client_access_mode", "contract_reference" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5a7a02c20412299d198e097a8fe" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "accounts_organization_idx" ON "accounts"  ("organization_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "accounts_agency_status_created_idx" ON "accounts"  ("agency_id", "status", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "name" text NOT NULL, "active" boolean NOT NULL DEFAULT true, "is_staff" boolean NOT NULL DEFAULT false, "organization_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "users_email_key" ON "users"  ("email") `);
    await queryRunner.query(
      `CREATE INDEX "users_organization_idx" ON "users"  ("organization_id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."connection_status" AS ENUM('PENDING', 'ACTIVE', 'DECLINED', 'CANCELLED', 'DISCONNECTED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "agency_connections" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agency_id" uuid NOT NULL, "premium_client_id" uuid NOT NULL, "status" "public"."connection_status" NOT NULL, "requested_by_account_id" uuid NOT NULL, "requested_by_id" uuid, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "responded_at" TIMESTAMP WITH TIME ZONE, "responded_by_id" uuid, "disconnected_at" TIMESTAMP WITH TIME ZONE, "disconnected_by_id" uuid, CONSTRAINT "PK_dc94fd8a8079dbee9d950a398e5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "agency_connections_premium_idx" ON "agency_connections"  ("premium_client_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "agency_connections_open_pair_key" ON "agency_connections"  ("agency_id", "premium_client_id") WHERE "status" IN ('PENDING', 'ACTIVE')`,
    );
    await queryRunner.query(
      `CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "token_hash" text NOT NULL, "account_id" uuid NOT NULL, "created_by_id" uuid NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "api_tokens_account_idx" ON "api_tokens"  ("account_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens"  ("token_hash") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."report_visibility" AS ENUM('ACCOUNT', 'RESTRICTED')`,
    );
    await queryRunner.query(`CREATE TYPE "public"."report_status" AS ENUM('ACTIVE', 'ARCHIVED')`);
    await queryRunner.query(
      `CREATE TABLE "reports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "account_id" uuid NOT NULL, "visibility" "public"."report_visibility" NOT NULL DEFAULT 'ACCOUNT', "status" "public"."report_status" NOT NULL DEFAULT 'ACTIVE', "archived_at" TIMESTAMP WITH TIME ZONE, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d9013193989303580053c0b5ef6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "reports_account_status_created_idx" ON "reports"  ("account_id", "status", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "reports_status_created_idx" ON "reports"  ("status", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "archived_report_access" ("report_id" uuid NOT NULL, "user_id" uuid NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_eb384fa5f1c4fca8ffd166896d8" PRIMARY KEY ("report_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "archived_report_access_user_idx" ON "archived_report_access"  ("user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "action" text NOT NULL, "actor_id" uuid, "account_id" uuid, "related_account_id" uuid, "request_id" text, "details" jsonb NOT NULL DEFAULT '{}', "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_events_related_account_idx" ON "audit_events"  ("related_account_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_events_account_idx" ON "audit_events"  ("account_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "client_access_grants" ("account_id" uuid NOT NULL, "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_65d99e88a3e7c961175a9c77636" PRIMARY KEY ("account_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "client_access_grants_user_idx" ON "client_access_grants"  ("user_id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."outbox_status" AS ENUM('PENDING', 'SENT', 'FAILED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "email_outbox" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "dedupe_key" text NOT NULL, "to_address" text NOT NULL, "subject" text NOT NULL, "body" text NOT NULL, "status" "public"."outbox_status" NOT NULL DEFAULT 'PENDING', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_error" text, "sent_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b6fbfc201f705fbf1ac87bd7197" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "email_outbox_due_idx" ON "email_outbox"  ("status", "next_attempt_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "email_outbox_dedupe_key" ON "email_outbox"  ("dedupe_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "integrations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "ad_server" text NOT NULL, "owner_account_id" uuid NOT NULL, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9adcdc6d6f3922535361ce641e8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "integrations_owner_idx" ON "integrations"  ("owner_account_id") `,
    );
    await queryRunner.query(`CREATE TYPE "public"."mapping_status" AS ENUM('ACTIVE', 'PAUSED')`);
    await queryRunner.query(
      `CREATE TABLE "integration_mappings" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "integration_id" uuid NOT NULL, "client_account_id" uuid NOT NULL, "external_advertiser_id" text NOT NULL, "status" "public"."mapping_status" NOT NULL DEFAULT 'ACTIVE', "paused_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_726cd310c589f09f67a523f4447" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "integration_mappings_client_idx" ON "integration_mappings"  ("client_account_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "integration_mappings_advertiser_key" ON "integration_mappings"  ("integration_id", "external_advertiser_id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."role" AS ENUM('ADMIN', 'ACCOUNT_MANAGER', 'REGULAR', 'VIEW_ONLY')`,
    );
    await queryRunner.query(
      `CREATE TABLE "memberships" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "account_id" uuid NOT NULL, "role" "public"."role" NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_25d28bd932097a9e90495ede7b4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "memberships_account_idx" ON "memberships"  ("account_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "memberships_user_account_key" ON "memberships"  ("user_id", "account_id") `,
    );
    await queryRunner.query(`CREATE TYPE "public"."item_source" AS ENUM('INTEGRATION', 'MANUAL')`);
    await queryRunner.query(`CREATE TYPE "public"."item_status" AS ENUM('ACTIVE', 'FROZEN')`);
    await queryRunner.query(
      `CREATE TABLE "reporting_items" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "account_id" uuid NOT NULL, "source" "public"."item_source" NOT NULL, "status" "public"."item_status" NOT NULL DEFAULT 'ACTIVE', "integration_id" uuid, "external_id" text, "impressions" double precision NOT NULL DEFAULT '0', "clicks" double precision NOT NULL DEFAULT '0', "reach" double precision NOT NULL DEFAULT '0', "last_data_at" TIMESTAMP WITH TIME ZONE, "frozen_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_915b3223c5b988f4e6ac8555093" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "reporting_items_external_key" ON "reporting_items"  ("account_id", "integration_id", "external_id") WHERE "external_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "reporting_items_account_created_idx" ON "reporting_items"  ("account_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "report_items" ("report_id" uuid NOT NULL, "item_id" uuid NOT NULL, "added_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_56e8791d60f8abc84dd1cb497e9" PRIMARY KEY ("report_id", "item_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "report_items_item_idx" ON "report_items"  ("item_id") `);
    await queryRunner.query(
      `CREATE TABLE "report_shares" ("report_id" uuid NOT NULL, "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5cc2f7e45a2b401c198cf46b190" PRIMARY KEY ("report_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "report_shares_user_idx" ON "report_shares"  ("user_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "accounts" ADD CONSTRAINT "FK_238d61e0f8ac37278f726efac20" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "accounts" ADD CONSTRAINT "FK_1f69c2ed486bc2f20c8c4edf569" FOREIGN KEY ("agency_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "FK_21a659804ed7bf61eb91688dea7" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "agency_connections" ADD CONSTRAINT "FK_6b84b90b251e3a09ccb79ce9b64" FOREIGN KEY ("agency_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "agency_connections" ADD CONSTRAINT "FK_25090849247e496c4e613cfed83" FOREIGN KEY ("premium_client_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "agency_connections" ADD CONSTRAINT "FK_8cf25a90ae9438a245c0c35f45c" FOREIGN KEY ("requested_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "agency_connections" ADD CONSTRAINT "FK_ce8e41d638d0df71ccb358e68d4" FOREIGN KEY ("responded_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "agency_connections" ADD CONSTRAINT "FK_6d08001e602aafa92a87532b717" FOREIGN KEY ("disconnected_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_5c25c1f4973320571027bfc1c14" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_a17eb380a7c7622315c02725aff" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reports" ADD CONSTRAINT "FK_948bab5efa5819745bcad1290e7" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reports" ADD CONSTRAINT "FK_aa22cb05e1746224f2bc3345e6e" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "archived_report_access" ADD CONSTRAINT "FK_82b04958946916ebec3690e15be" FOREIGN KEY ("report_id") REFERENCES "reports"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "archived_report_access" ADD CONSTRAINT "FK_e6056c23a69915eefed2b5fc946" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "client_access_grants" ADD CONSTRAINT "FK_ea81816e051058b890b52802933" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "client_access_grants" ADD CONSTRAINT "FK_653fe1eae72b4d20ec2227d359e" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "integrations" ADD CONSTRAINT "FK_d937ef0ac506fc0ffb4a549337d" FOREIGN KEY ("owner_account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "integrations" ADD CONSTRAINT "FK_3e54a08b46bd8545a625c9a5047" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "integration_mappings" ADD CONSTRAINT "FK_1b0c3c63e950c27f75884690c7f" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "integration_mappings" ADD CONSTRAINT "FK_95fedf0c314da612223153bd3fb" FOREIGN KEY ("client_account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "FK_7c1e2fdfed4f6838e0c05ae5051" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "FK_cc6ac2e484c2f6e53d13ce1a97c" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reporting_items" ADD CONSTRAINT "FK_021eb38df0a9a3b844fba0490aa" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "reporting_items" ADD CONSTRAINT "FK_0951a458ad5714f78e6fb82baf7" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_items" ADD CONSTRAINT "FK_143efeb9debbfe7eeca6787b630" FOREIGN KEY ("report_id") REFERENCES "reports"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_items" ADD CONSTRAINT "FK_cb946eda72655ce5b7522a04feb" FOREIGN KEY ("item_id") REFERENCES "reporting_items"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_shares" ADD CONSTRAINT "FK_bedbe93ae3932a05a687e387f98" FOREIGN KEY ("report_id") REFERENCES "reports"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_shares" ADD CONSTRAINT "FK_18e90a7158ffa9149fbb93cc66a" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "report_shares" DROP CONSTRAINT "FK_18e90a7158ffa9149fbb93cc66a"`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_shares" DROP CONSTRAINT "FK_bedbe93ae3932a05a687e387f98"`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_items" DROP CONSTRAINT "FK_cb946eda72655ce5b7522a04feb"`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_items" DROP CONSTRAINT "FK_143efeb9debbfe7eeca6787b630"`,
    );
    await queryRunner.query(
      `ALTER TABLE "reporting_items" DROP CONSTRAINT "FK_0951a458ad5714f78e6fb82baf7"`,
    );
    await queryRunner.query(
      `ALTER TABLE "reporting_items" DROP CONSTRAINT "FK_021eb38df0a9a3b844fba0490aa"`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" DROP CONSTRAINT "FK_cc6ac2e484c2f6e53d13ce1a97c"`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" DROP CONSTRAINT "FK_7c1e2fdfed4f6838e0c05ae5051"`,
    );
    await queryRunner.query(
      `ALTER TABLE "integration_mappings" DROP CONSTRAINT "FK_95fedf0c314da612223153bd3fb"`,
    );
    await queryRunner.query(
      `ALTER TABLE "integration_mappings" DROP CONSTRAINT "FK_1b0c3c63e950c27f75884690c7f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "integrations" DROP CONSTRAINT "FK_3e54a08b46bd8545a625c9a5047"`,
    );
    await queryRunner.query(
      `ALTER TABLE "integrations" DROP CONSTRAINT "FK_d937ef0ac506fc0ffb4a549337d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "client_access_grants" DROP CONSTRAINT "FK_653fe1eae72b4d20ec2227d359e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "client_access_grants" DROP CONSTRAINT "FK_ea81816e051058b890b52802933"`,
    );
    await queryRunner.query(
      `ALTER TABLE "archived_report_access" DROP CONSTRAINT "FK_e6056c23a69915eefed2b5fc946"`,
    );
    await queryRunner.query(
      `ALTER TABLE "archived_report_access" DROP CONSTRAINT "FK_82b04958946916ebec3690e15be"`,
    );
    await queryRunner.query(
      `ALTER TABLE "reports" DROP CONSTRAINT "FK_aa22cb05e1746224f2bc3345e6e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "reports" DROP CONSTRAINT "FK_948bab5efa5819745bcad1290e7"`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_a17eb380a7c7622315c02725aff"`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_5c25c1f4973320571027bfc1c14"`,
    );
    await queryRunner.query(
      `ALTER TABLE "agency_connections" DROP CONSTRAINT "FK_6d08001e602aafa92a87532b717"`,
    );
    await queryRunner.query(
      `ALTER TABLE "agency_connections" DROP CONSTRAINT "FK_ce8e41d638d0df71ccb358e68d4"`,
    );
    await queryRunner.query(
      `ALTER TABLE "agency_connections" DROP CONSTRAINT "FK_8cf25a90ae9438a245c0c35f45c"`,
    );
    await queryRunner.query(
      `ALTER TABLE "agency_connections" DROP CONSTRAINT "FK_25090849247e496c4e613cfed83"`,
    );
    await queryRunner.query(
      `ALTER TABLE "agency_connections" DROP CONSTRAINT "FK_6b84b90b251e3a09ccb79ce9b64"`,
    );
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "FK_21a659804ed7bf61eb91688dea7"`);
    await queryRunner.query(
      `ALTER TABLE "accounts" DROP CONSTRAINT "FK_1f69c2ed486bc2f20c8c4edf569"`,
    );
    await queryRunner.query(
      `ALTER TABLE "accounts" DROP CONSTRAINT "FK_238d61e0f8ac37278f726efac20"`,
    );
    await queryRunner.query(`DROP INDEX "public"."report_shares_user_idx"`);
    await queryRunner.query(`DROP TABLE "report_shares"`);
    await queryRunner.query(`DROP INDEX "public"."report_items_item_idx"`);
    await queryRunner.query(`DROP TABLE "report_items"`);
    await queryRunner.query(`DROP INDEX "public"."reporting_items_account_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."reporting_items_external_key"`);
    await queryRunner.query(`DROP TABLE "reporting_items"`);
    await queryRunner.query(`DROP TYPE "public"."item_status"`);
    await queryRunner.query(`DROP TYPE "public"."item_source"`);
    await queryRunner.query(`DROP INDEX "public"."memberships_user_account_key"`);
    await queryRunner.query(`DROP INDEX "public"."memberships_account_idx"`);
    await queryRunner.query(`DROP TABLE "memberships"`);
    await queryRunner.query(`DROP TYPE "public"."role"`);
    await queryRunner.query(`DROP INDEX "public"."integration_mappings_advertiser_key"`);
    await queryRunner.query(`DROP INDEX "public"."integration_mappings_client_idx"`);
    await queryRunner.query(`DROP TABLE "integration_mappings"`);
    await queryRunner.query(`DROP TYPE "public"."mapping_status"`);
    await queryRunner.query(`DROP INDEX "public"."integrations_owner_idx"`);
    await queryRunner.query(`DROP TABLE "integrations"`);
    await queryRunner.query(`DROP INDEX "public"."email_outbox_dedupe_key"`);
    await queryRunner.query(`DROP INDEX "public"."email_outbox_due_idx"`);
    await queryRunner.query(`DROP TABLE "email_outbox"`);
    await queryRunner.query(`DROP TYPE "public"."outbox_status"`);
    await queryRunner.query(`DROP INDEX "public"."client_access_grants_user_idx"`);
    await queryRunner.query(`DROP TABLE "client_access_grants"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_account_idx"`);
    await queryRunner.query(`DROP INDEX "public"."audit_events_related_account_idx"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP INDEX "public"."archived_report_access_user_idx"`);
    await queryRunner.query(`DROP TABLE "archived_report_access"`);
    await queryRunner.query(`DROP INDEX "public"."reports_status_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."reports_account_status_created_idx"`);
    await queryRunner.query(`DROP TABLE "reports"`);
    await queryRunner.query(`DROP TYPE "public"."report_status"`);
    await queryRunner.query(`DROP TYPE "public"."report_visibility"`);
    await queryRunner.query(`DROP INDEX "public"."api_tokens_hash_key"`);
    await queryRunner.query(`DROP INDEX "public"."api_tokens_account_idx"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."agency_connections_open_pair_key"`);
    await queryRunner.query(`DROP INDEX "public"."agency_connections_premium_idx"`);
    await queryRunner.query(`DROP TABLE "agency_connections"`);
    await queryRunner.query(`DROP TYPE "public"."connection_status"`);
    await queryRunner.query(`DROP INDEX "public"."users_organization_idx"`);
    await queryRunner.query(`DROP INDEX "public"."users_email_key"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP INDEX "public"."accounts_agency_status_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."accounts_organization_idx"`);
    await queryRunner.query(`DROP TABLE "accounts"`);
    await queryRunner.query(`DROP TYPE "public"."client_access_mode"`);
    await queryRunner.query(`DROP TYPE "public"."account_status"`);
    await queryRunner.query(`DROP TYPE "public"."product"`);
    await queryRunner.query(`DROP TYPE "public"."account_type"`);
    await queryRunner.query(`DROP TABLE "organizations"`);
  }
}
