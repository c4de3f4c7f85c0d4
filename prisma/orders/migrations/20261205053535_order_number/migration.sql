-- Order numbers: short, human-readable, unique, increasing (with gaps), from 100000.
-- The sequence is created first so that existing orders are numbered from 100000 too,
-- in the order they were placed (ids are uuid v7, time-ordered).
CREATE SEQUENCE "orders_number_seq" AS INTEGER START WITH 100000 MINVALUE 100000;

-- AlterTable
ALTER TABLE "orders" ADD COLUMN "number" INTEGER;
UPDATE "orders" SET "number" = numbered.n
  FROM (SELECT id, nextval('orders_number_seq') AS n FROM (SELECT id FROM "orders" ORDER BY id) ordered) numbered
 WHERE "orders".id = numbered.id;
ALTER TABLE "orders" ALTER COLUMN "number" SET DEFAULT nextval('orders_number_seq');
ALTER TABLE "orders" ALTER COLUMN "number" SET NOT NULL;
ALTER SEQUENCE "orders_number_seq" OWNED BY "orders"."number";

-- CreateIndex
CREATE UNIQUE INDEX "orders_number_key" ON "orders"("number");
