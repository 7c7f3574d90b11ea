-- Keywords keep the seed's fields: the seed keyword they came from and the user's overrides of its
-- volume and difficulty (NULL: the keyword's own value applies).

-- AlterTable
ALTER TABLE "keywords" ADD COLUMN     "seed_keyword" TEXT,
ADD COLUMN     "volume_override" INTEGER,
ADD COLUMN     "difficulty_override" INTEGER;

-- AlterTable: the request id of the start that created the run.
ALTER TABLE "ai_task_logs" ADD COLUMN     "request_id" TEXT;
