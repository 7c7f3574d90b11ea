-- AlterTable
ALTER TABLE "ai_task_logs" ADD COLUMN     "idempotency_key" TEXT,
ADD COLUMN     "request_hash" TEXT;

-- CreateTable
CREATE TABLE "task_events" (
    "id" SERIAL NOT NULL,
    "task_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "task_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "task_events_task_id_id_idx" ON "task_events"("task_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "ai_task_logs_account_id_idempotency_key_key" ON "ai_task_logs"("account_id", "idempotency_key");
