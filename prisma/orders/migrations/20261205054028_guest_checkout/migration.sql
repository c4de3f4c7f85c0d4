-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "email" TEXT,
ALTER COLUMN "user_id" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "orders_email_idx" ON "orders"("email");

-- CreateIndex
CREATE UNIQUE INDEX "orders_cart_id_idempotency_key_key" ON "orders"("cart_id", "idempotency_key");
