-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "account_deleted_at" TIMESTAMPTZ(3);
