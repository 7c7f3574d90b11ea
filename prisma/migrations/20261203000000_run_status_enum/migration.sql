-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('pending', 'success', 'error', 'revoked');

-- AlterTable: the column keeps its rows (Prisma's own migration would drop and re-add it).
ALTER TABLE "ai_task_logs" ALTER COLUMN "status" DROP DEFAULT,
ALTER COLUMN "status" TYPE "RunStatus" USING ("status"::"RunStatus"),
ALTER COLUMN "status" SET DEFAULT 'pending';
