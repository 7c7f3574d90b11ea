-- CreateTable
CREATE TABLE "accounts" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "api_key_hash" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sites" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sites_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sectors" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "site_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sectors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "keywords" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "site_id" INTEGER NOT NULL,
    "sector_id" INTEGER NOT NULL,
    "keyword" TEXT NOT NULL,
    "volume" INTEGER NOT NULL DEFAULT 0,
    "difficulty" INTEGER NOT NULL DEFAULT 0,
    "intent" TEXT NOT NULL DEFAULT 'informational',
    "cluster_id" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "keywords_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clusters" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "site_id" INTEGER NOT NULL,
    "sector_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "keywords_count" INTEGER NOT NULL DEFAULT 0,
    "volume" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "clusters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "content_ideas" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "site_id" INTEGER NOT NULL,
    "sector_id" INTEGER NOT NULL,
    "cluster_id" INTEGER,
    "idea_title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "content_type" TEXT NOT NULL DEFAULT 'blog_post',
    "content_structure" TEXT NOT NULL DEFAULT 'supporting_page',
    "target_keywords" TEXT NOT NULL DEFAULT '',
    "estimated_word_count" INTEGER NOT NULL DEFAULT 1500,
    "status" TEXT NOT NULL DEFAULT 'new',
    "ai_task_id" TEXT,
    "ai_item_index" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "content_ideas_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "writer_tasks" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "site_id" INTEGER NOT NULL,
    "sector_id" INTEGER NOT NULL,
    "cluster_id" INTEGER,
    "idea_id" INTEGER,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "keywords" TEXT NOT NULL DEFAULT '',
    "content_type" TEXT NOT NULL DEFAULT 'blog_post',
    "content_structure" TEXT NOT NULL DEFAULT 'supporting_page',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "meta_title" TEXT,
    "meta_description" TEXT,
    "prompt_override" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "writer_tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contents" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "site_id" INTEGER NOT NULL,
    "sector_id" INTEGER NOT NULL,
    "task_id" INTEGER NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "html_content" TEXT NOT NULL DEFAULT '',
    "word_count" INTEGER NOT NULL DEFAULT 0,
    "meta_title" TEXT NOT NULL DEFAULT '',
    "meta_description" TEXT NOT NULL DEFAULT '',
    "primary_keyword" TEXT NOT NULL DEFAULT '',
    "secondary_keywords" JSONB NOT NULL DEFAULT '[]',
    "tags" JSONB NOT NULL DEFAULT '[]',
    "categories" JSONB NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'draft',
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "contents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "images" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "content_id" INTEGER NOT NULL,
    "task_id" INTEGER,
    "image_type" TEXT NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "prompt" TEXT NOT NULL DEFAULT '',
    "image_url" TEXT,
    "provider" TEXT,
    "model" TEXT,
    "cost" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "images_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ai_task_logs" (
    "id" SERIAL NOT NULL,
    "task_id" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "function_name" TEXT NOT NULL,
    "phase" TEXT NOT NULL DEFAULT 'INIT',
    "message" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "duration" INTEGER,
    "cost" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "tokens" INTEGER NOT NULL DEFAULT 0,
    "request_steps" JSONB NOT NULL DEFAULT '[]',
    "response_steps" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "result" JSONB,
    "retry_of" TEXT,
    "retried_as" TEXT,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ai_task_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ai_requests" (
    "id" SERIAL NOT NULL,
    "task_id" TEXT NOT NULL,
    "item_key" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "function_name" TEXT NOT NULL,
    "prompt_type" TEXT NOT NULL,
    "prompt" TEXT NOT NULL,
    "response_text" TEXT,
    "parsed" JSONB,
    "saved" JSONB,
    "model" TEXT,
    "input_tokens" INTEGER NOT NULL DEFAULT 0,
    "output_tokens" INTEGER NOT NULL DEFAULT 0,
    "cost" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ai_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "credit_usage_logs" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "task_id" TEXT NOT NULL,
    "operation_type" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'usage',
    "credits_used" INTEGER NOT NULL,
    "cost_usd" DOUBLE PRECISION NOT NULL,
    "tokens" INTEGER NOT NULL DEFAULT 0,
    "model" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_usage_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "integration_settings" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "integration_type" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "integration_settings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ai_prompts" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "prompt_type" TEXT NOT NULL,
    "prompt_value" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ai_prompts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "accounts_api_key_hash_key" ON "accounts"("api_key_hash");

-- CreateIndex
CREATE UNIQUE INDEX "sites_account_id_name_key" ON "sites"("account_id", "name");

-- CreateIndex
CREATE INDEX "sectors_account_id_idx" ON "sectors"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "sectors_site_id_name_key" ON "sectors"("site_id", "name");

-- CreateIndex
CREATE INDEX "keywords_account_id_id_idx" ON "keywords"("account_id", "id");

-- CreateIndex
CREATE INDEX "keywords_cluster_id_idx" ON "keywords"("cluster_id");

-- CreateIndex
CREATE UNIQUE INDEX "keywords_sector_id_keyword_key" ON "keywords"("sector_id", "keyword");

-- CreateIndex
CREATE UNIQUE INDEX "clusters_account_id_sector_id_name_key" ON "clusters"("account_id", "sector_id", "name");

-- CreateIndex
CREATE INDEX "content_ideas_account_id_id_idx" ON "content_ideas"("account_id", "id");

-- CreateIndex
CREATE INDEX "content_ideas_cluster_id_idx" ON "content_ideas"("cluster_id");

-- CreateIndex
CREATE UNIQUE INDEX "content_ideas_ai_task_id_ai_item_index_key" ON "content_ideas"("ai_task_id", "ai_item_index");

-- CreateIndex
CREATE INDEX "writer_tasks_account_id_id_idx" ON "writer_tasks"("account_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "contents_task_id_key" ON "contents"("task_id");

-- CreateIndex
CREATE INDEX "contents_account_id_id_idx" ON "contents"("account_id", "id");

-- CreateIndex
CREATE INDEX "images_account_id_id_idx" ON "images"("account_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "images_content_id_image_type_position_key" ON "images"("content_id", "image_type", "position");

-- CreateIndex
CREATE UNIQUE INDEX "ai_task_logs_task_id_key" ON "ai_task_logs"("task_id");

-- CreateIndex
CREATE INDEX "ai_task_logs_account_id_created_at_idx" ON "ai_task_logs"("account_id", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "ai_requests_task_id_item_key_key" ON "ai_requests"("task_id", "item_key");

-- CreateIndex
CREATE INDEX "credit_usage_logs_account_id_created_at_idx" ON "credit_usage_logs"("account_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "credit_usage_logs_task_id_kind_key" ON "credit_usage_logs"("task_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "integration_settings_account_id_integration_type_key" ON "integration_settings"("account_id", "integration_type");

-- CreateIndex
CREATE UNIQUE INDEX "ai_prompts_account_id_prompt_type_key" ON "ai_prompts"("account_id", "prompt_type");

-- AddForeignKey
ALTER TABLE "sites" ADD CONSTRAINT "sites_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sectors" ADD CONSTRAINT "sectors_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sectors" ADD CONSTRAINT "sectors_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "sites"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "keywords" ADD CONSTRAINT "keywords_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "keywords" ADD CONSTRAINT "keywords_sector_id_fkey" FOREIGN KEY ("sector_id") REFERENCES "sectors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "keywords" ADD CONSTRAINT "keywords_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_sector_id_fkey" FOREIGN KEY ("sector_id") REFERENCES "sectors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_ideas" ADD CONSTRAINT "content_ideas_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_ideas" ADD CONSTRAINT "content_ideas_sector_id_fkey" FOREIGN KEY ("sector_id") REFERENCES "sectors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_ideas" ADD CONSTRAINT "content_ideas_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "writer_tasks" ADD CONSTRAINT "writer_tasks_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "writer_tasks" ADD CONSTRAINT "writer_tasks_sector_id_fkey" FOREIGN KEY ("sector_id") REFERENCES "sectors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "writer_tasks" ADD CONSTRAINT "writer_tasks_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "writer_tasks" ADD CONSTRAINT "writer_tasks_idea_id_fkey" FOREIGN KEY ("idea_id") REFERENCES "content_ideas"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contents" ADD CONSTRAINT "contents_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contents" ADD CONSTRAINT "contents_sector_id_fkey" FOREIGN KEY ("sector_id") REFERENCES "sectors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contents" ADD CONSTRAINT "contents_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "writer_tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "images" ADD CONSTRAINT "images_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "images" ADD CONSTRAINT "images_content_id_fkey" FOREIGN KEY ("content_id") REFERENCES "contents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "images" ADD CONSTRAINT "images_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "writer_tasks"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ai_task_logs" ADD CONSTRAINT "ai_task_logs_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ai_requests" ADD CONSTRAINT "ai_requests_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credit_usage_logs" ADD CONSTRAINT "credit_usage_logs_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "integration_settings" ADD CONSTRAINT "integration_settings_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ai_prompts" ADD CONSTRAINT "ai_prompts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
