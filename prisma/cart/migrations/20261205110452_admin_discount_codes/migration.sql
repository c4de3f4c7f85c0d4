-- AlterTable
ALTER TABLE "discount_codes" ADD COLUMN     "id" UUID NOT NULL DEFAULT gen_random_uuid(),
ADD COLUMN     "per_customer_limit" INTEGER,
ADD COLUMN     "times_used" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "usage_limit" INTEGER,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "discount_code_uses" (
    "order_id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "user_id" UUID,
    "email" TEXT,
    "cart_id" UUID NOT NULL,
    "used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "discount_code_uses_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "audit_entries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "actor_id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "discount_code_uses_code_used_at_order_id_idx" ON "discount_code_uses"("code", "used_at" DESC, "order_id" DESC);

-- CreateIndex
CREATE INDEX "discount_code_uses_code_user_id_idx" ON "discount_code_uses"("code", "user_id");

-- CreateIndex
CREATE INDEX "discount_code_uses_code_email_idx" ON "discount_code_uses"("code", "email");

-- CreateIndex
CREATE INDEX "audit_entries_at_idx" ON "audit_entries"("at" DESC);

-- CreateIndex
CREATE INDEX "audit_entries_target_type_target_id_idx" ON "audit_entries"("target_type", "target_id");

-- CreateIndex
CREATE UNIQUE INDEX "discount_codes_id_key" ON "discount_codes"("id");

-- AddForeignKey
ALTER TABLE "discount_code_uses" ADD CONSTRAINT "discount_code_uses_code_fkey" FOREIGN KEY ("code") REFERENCES "discount_codes"("code") ON DELETE CASCADE ON UPDATE CASCADE;
