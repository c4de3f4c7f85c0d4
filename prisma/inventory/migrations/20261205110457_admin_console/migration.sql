-- CreateEnum
CREATE TYPE "StockAdjustmentReason" AS ENUM ('RECEIVED', 'COUNT_CORRECTION', 'DAMAGED', 'LOST', 'RETURNED', 'OTHER');

-- AlterTable
ALTER TABLE "stock_movements" ADD COLUMN     "reason_code" "StockAdjustmentReason";

-- CreateTable
CREATE TABLE "audit_entries" (
    "id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_entries_at_id_idx" ON "audit_entries"("at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_entries_target_type_target_id_idx" ON "audit_entries"("target_type", "target_id");
