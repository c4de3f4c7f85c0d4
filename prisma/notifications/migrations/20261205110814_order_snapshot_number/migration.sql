-- AlterTable
ALTER TABLE "order_snapshots" ADD COLUMN     "email" TEXT,
ADD COLUMN     "order_number" TEXT;

-- CreateIndex
CREATE INDEX "order_snapshots_placed_at_idx" ON "order_snapshots"("placed_at" DESC);
