-- Trigram matching (typo-tolerant search, suggestions). Written by hand:
-- Prisma's postgresqlExtensions preview is not used in this repository.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateEnum
CREATE TYPE "ProductStatus" AS ENUM ('DRAFT', 'ACTIVE', 'ARCHIVED');

-- CreateTable
CREATE TABLE "search_products" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "brand" TEXT,
    "status" "ProductStatus" NOT NULL,
    "category_id" UUID NOT NULL,
    "category_ids" UUID[],
    "category_names" TEXT[],
    "option_values" TEXT[],
    "price_min_usd" INTEGER,
    "price_min_eur" INTEGER,
    "in_stock" BOOLEAN NOT NULL DEFAULT false,
    "rating_average" DOUBLE PRECISION,
    "rating_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "indexed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "generation" BIGINT NOT NULL DEFAULT 0,
    "search_vector" tsvector,

    CONSTRAINT "search_products_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "search_variants" (
    "id" UUID NOT NULL,
    "product_id" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "prices" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "search_variants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "search_variant_stock" (
    "variant_id" UUID NOT NULL,
    "available" INTEGER NOT NULL,
    "in_stock" BOOLEAN NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "search_variant_stock_pkey" PRIMARY KEY ("variant_id")
);

-- CreateTable
CREATE TABLE "search_categories" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "parent_id" UUID,
    "depth" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "search_categories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "search_reindex_runs" (
    "id" BIGSERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "snapshots" INTEGER NOT NULL DEFAULT 0,
    "pruned" INTEGER,
    "error" TEXT,

    CONSTRAINT "search_reindex_runs_pkey" PRIMARY KEY ("id")
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
CREATE INDEX "search_products_search_vector_idx" ON "search_products" USING GIN ("search_vector");

-- CreateIndex
CREATE INDEX "search_products_name_trgm_idx" ON "search_products" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "search_products_category_ids_idx" ON "search_products" USING GIN ("category_ids");

-- CreateIndex
CREATE INDEX "search_variants_product_id_idx" ON "search_variants"("product_id");

-- CreateIndex
CREATE INDEX "search_categories_name_trgm_idx" ON "search_categories" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_events_event_id_key" ON "outbox_events"("event_id");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_position_idx" ON "outbox_events"("published_at", "position");

-- AddForeignKey
ALTER TABLE "search_variants" ADD CONSTRAINT "search_variants_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "search_products"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The weighted document of a product (written by hand: Prisma does not model
-- functions or triggers, and they do not count as drift). One text search
-- configuration, 'english', here and in every query (websearch_to_tsquery).
--   A  name
--   B  brand and the names of the category path
--   C  description
--   D  option values (Blue, M, Cotton...)
CREATE FUNCTION search_product_document(name TEXT, brand TEXT, category_names TEXT[], description TEXT, option_values TEXT[])
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A')
      || setweight(to_tsvector('english'::regconfig, coalesce(brand, '') || ' ' || coalesce(array_to_string(category_names, ' '), '')), 'B')
      || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'C')
      || setweight(to_tsvector('english'::regconfig,
           coalesce((SELECT string_agg(split_part(v, chr(31), 2), ' ') FROM unnest(option_values) AS v), '')), 'D')
$$;

-- search_vector is maintained by this trigger, not a GENERATED column (which
-- Prisma would report as drift). An update that leaves the text unchanged
-- (stock, prices, a reindex of the same snapshot) keeps the stored vector.
CREATE FUNCTION search_products_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.search_vector IS NOT NULL
     AND NEW.name IS NOT DISTINCT FROM OLD.name
     AND NEW.brand IS NOT DISTINCT FROM OLD.brand
     AND NEW.description IS NOT DISTINCT FROM OLD.description
     AND NEW.category_names IS NOT DISTINCT FROM OLD.category_names
     AND NEW.option_values IS NOT DISTINCT FROM OLD.option_values THEN
    RETURN NEW;
  END IF;
  NEW.search_vector := search_product_document(NEW.name, NEW.brand, NEW.category_names, NEW.description, NEW.option_values);
  RETURN NEW;
END
$$;

CREATE TRIGGER search_products_search_vector
  BEFORE INSERT OR UPDATE OF name, brand, description, category_names, option_values ON search_products
  FOR EACH ROW EXECUTE FUNCTION search_products_search_vector();
