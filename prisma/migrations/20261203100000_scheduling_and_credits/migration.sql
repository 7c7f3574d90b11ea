-- Per-account concurrency of AI calls, and credits.

-- AlterTable
ALTER TABLE "accounts" ADD COLUMN     "max_concurrent_ai_calls" INTEGER,
ADD COLUMN     "ai_call_turn_at" TIMESTAMP(3),
ADD COLUMN     "credit_balance" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "credit_reserved" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "ai_task_logs" ADD COLUMN     "percentage" INTEGER,
ADD COLUMN     "credits" INTEGER NOT NULL DEFAULT 0;

-- AlterTable: a cluster's volume is a sum of keyword volumes.
ALTER TABLE "clusters" ALTER COLUMN "volume" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "task_events" ADD COLUMN     "run_id" TEXT,
ADD COLUMN     "seq" INTEGER;

-- CreateEnum
CREATE TYPE "CreditMovementKind" AS ENUM ('grant', 'reserve', 'charge', 'release');

-- AlterTable: the per-run usage rows become charges of the ledger (keeping their rows).
ALTER TABLE "credit_usage_logs" ALTER COLUMN "task_id" DROP NOT NULL,
ADD COLUMN     "item_key" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "movement_key" TEXT,
ADD COLUMN     "credits" INTEGER NOT NULL DEFAULT 0,
ALTER COLUMN "kind" DROP DEFAULT;
UPDATE "credit_usage_logs" SET "kind" = 'charge', "movement_key" = "task_id" || '//charge', "credits" = "credits_used";
ALTER TABLE "credit_usage_logs" ALTER COLUMN "movement_key" SET NOT NULL,
ALTER COLUMN "kind" SET DATA TYPE "CreditMovementKind" USING ("kind"::"CreditMovementKind");
DROP INDEX "credit_usage_logs_task_id_kind_key";

-- Existing accounts start with 1,000 credits; the grant makes balance = grants − charges hold.
UPDATE "accounts" SET "credit_balance" = 1000;
INSERT INTO "credit_usage_logs" ("account_id", "task_id", "item_key", "kind", "movement_key", "credits", "operation_type", "credits_used", "cost_usd")
SELECT a."id", NULL, '', 'grant', 'grant/migration/' || a."id", 1000 + COALESCE(SUM(c."credits"), 0), 'grant', 0, 0
FROM "accounts" a LEFT JOIN "credit_usage_logs" c ON c."account_id" = a."id" AND c."kind" = 'charge'
GROUP BY a."id";

-- CreateEnum
CREATE TYPE "AiCallSlotState" AS ENUM ('waiting', 'granted');

-- CreateTable
CREATE TABLE "ai_call_slots" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "task_id" TEXT NOT NULL,
    "item_key" TEXT NOT NULL,
    "state" "AiCallSlotState" NOT NULL DEFAULT 'waiting',
    "enqueued_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "granted_at" TIMESTAMP(3),
    "lease_until" TIMESTAMP(3),

    CONSTRAINT "ai_call_slots_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "credit_usage_logs_movement_key_key" ON "credit_usage_logs"("movement_key");

-- CreateIndex
CREATE INDEX "credit_usage_logs_task_id_idx" ON "credit_usage_logs"("task_id");

-- CreateIndex
CREATE INDEX "ai_call_slots_state_account_id_enqueued_at_idx" ON "ai_call_slots"("state", "account_id", "enqueued_at");

-- CreateIndex
CREATE UNIQUE INDEX "ai_call_slots_task_id_item_key_key" ON "ai_call_slots"("task_id", "item_key");

-- AddForeignKey
ALTER TABLE "ai_call_slots" ADD CONSTRAINT "ai_call_slots_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
