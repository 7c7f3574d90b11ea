-- A failed run's parse and save run again on its stored answers (POST /api/v1/system/tasks/{task_id}/reparse/):
-- when that was last done, shown on the run record and in its progress answer.

-- AlterTable
ALTER TABLE "ai_task_logs" ADD COLUMN     "reparsed_at" TIMESTAMP(3);
