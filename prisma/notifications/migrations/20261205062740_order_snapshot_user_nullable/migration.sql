-- AlterTable
ALTER TABLE "order_snapshots" ALTER COLUMN "user_id" DROP NOT NULL;

-- Guest orders were stored with the nil uuid as a placeholder user: they have no user.
UPDATE "order_snapshots" SET "user_id" = NULL WHERE "user_id" = '00000000-0000-0000-0000-000000000000';
