-- AlterTable
ALTER TABLE "cart_checkouts" ADD COLUMN     "lines" JSONB,
ADD COLUMN     "restored_at" TIMESTAMPTZ(3),
ADD COLUMN     "token_hash" TEXT,
ALTER COLUMN "user_id" DROP NOT NULL;
