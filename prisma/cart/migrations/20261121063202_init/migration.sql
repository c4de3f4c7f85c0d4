-- CreateEnum
CREATE TYPE "CurrencyCode" AS ENUM ('USD', 'EUR');

-- CreateEnum
CREATE TYPE "DiscountKind" AS ENUM ('PERCENT', 'FIXED');

-- CreateTable
CREATE TABLE "carts" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "currency" "CurrencyCode" NOT NULL,
    "discount_code" TEXT,
    "version" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "carts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cart_lines" (
    "id" UUID NOT NULL,
    "cart_id" UUID NOT NULL,
    "saved_for_later" BOOLEAN NOT NULL,
    "position" INTEGER NOT NULL,
    "variant_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cart_lines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cart_merges" (
    "anonymous_cart_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "user_cart_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "merged_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cart_merges_pkey" PRIMARY KEY ("anonymous_cart_id")
);

-- CreateTable
CREATE TABLE "cart_checkouts" (
    "order_id" UUID NOT NULL,
    "cart_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "checked_out_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cart_checkouts_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "discount_codes" (
    "code" TEXT NOT NULL,
    "kind" "DiscountKind" NOT NULL,
    "percent_off" INTEGER,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "starts_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "discount_codes_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "discount_code_amounts" (
    "code" TEXT NOT NULL,
    "currency" "CurrencyCode" NOT NULL,
    "amount_minor" INTEGER NOT NULL,

    CONSTRAINT "discount_code_amounts_pkey" PRIMARY KEY ("code","currency")
);

-- CreateTable
CREATE TABLE "catalog_variants" (
    "variant_id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "product_name" TEXT NOT NULL,
    "variant_name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "product_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "catalog_variants_pkey" PRIMARY KEY ("variant_id")
);

-- CreateTable
CREATE TABLE "catalog_variant_prices" (
    "variant_id" UUID NOT NULL,
    "currency" TEXT NOT NULL,
    "amount_minor" INTEGER NOT NULL,

    CONSTRAINT "catalog_variant_prices_pkey" PRIMARY KEY ("variant_id","currency")
);

-- CreateTable
CREATE TABLE "outbox_events" (
    "position" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "aggregate_id" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("position")
);

-- CreateTable
CREATE TABLE "processed_events" (
    "consumer" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "carts_user_id_key" ON "carts"("user_id");

-- CreateIndex
CREATE INDEX "carts_expires_at_idx" ON "carts"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "cart_lines_cart_id_saved_for_later_variant_id_key" ON "cart_lines"("cart_id", "saved_for_later", "variant_id");

-- CreateIndex
CREATE INDEX "cart_checkouts_cart_id_idx" ON "cart_checkouts"("cart_id");

-- CreateIndex
CREATE INDEX "catalog_variants_product_id_idx" ON "catalog_variants"("product_id");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_event_id_key" ON "outbox_events"("event_id");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_position_idx" ON "outbox_events"("published_at", "position");

-- AddForeignKey
ALTER TABLE "cart_lines" ADD CONSTRAINT "cart_lines_cart_id_fkey" FOREIGN KEY ("cart_id") REFERENCES "carts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "discount_code_amounts" ADD CONSTRAINT "discount_code_amounts_code_fkey" FOREIGN KEY ("code") REFERENCES "discount_codes"("code") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "catalog_variant_prices" ADD CONSTRAINT "catalog_variant_prices_variant_id_fkey" FOREIGN KEY ("variant_id") REFERENCES "catalog_variants"("variant_id") ON DELETE CASCADE ON UPDATE CASCADE;
