-- CreateTable
CREATE TABLE "search_changes" (
    "position" BIGSERIAL NOT NULL,
    "change_txid" xid8 NOT NULL,
    "kind" TEXT NOT NULL,
    "entity_id" UUID,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "search_changes_pkey" PRIMARY KEY ("position")
);

-- CreateIndex
CREATE INDEX "search_changes_change_txid_idx" ON "search_changes"("change_txid");

-- CreateIndex
CREATE INDEX "search_changes_changed_at_idx" ON "search_changes"("changed_at");

-- The change feed's writers (by hand: Prisma models no triggers). Statement-
-- level triggers with transition tables: one INSERT … SELECT per statement,
-- whatever the batch size. A transition table can serve one event only,
-- hence one trigger per event. Each statement also deletes log rows older
-- than a day (a replica that fell further behind reloads everything).
CREATE FUNCTION search_log_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_changes (change_txid, kind, entity_id)
  SELECT pg_current_xact_id(), TG_ARGV[0], c.id FROM changed c;
  DELETE FROM search_changes WHERE changed_at < now() - interval '1 day';
  RETURN NULL;
END
$$;

CREATE FUNCTION search_log_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_changes (change_txid, kind) VALUES (pg_current_xact_id(), 'truncate');
  RETURN NULL;
END
$$;

CREATE TRIGGER search_products_inserted AFTER INSERT ON search_products
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_log_changes('product');
CREATE TRIGGER search_products_updated AFTER UPDATE ON search_products
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_log_changes('product');
CREATE TRIGGER search_products_deleted AFTER DELETE ON search_products
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_log_changes('product');
CREATE TRIGGER search_products_truncated AFTER TRUNCATE ON search_products
  FOR EACH STATEMENT EXECUTE FUNCTION search_log_truncate();

CREATE TRIGGER search_categories_inserted AFTER INSERT ON search_categories
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_log_changes('category');
CREATE TRIGGER search_categories_updated AFTER UPDATE ON search_categories
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_log_changes('category');
CREATE TRIGGER search_categories_truncated AFTER TRUNCATE ON search_categories
  FOR EACH STATEMENT EXECUTE FUNCTION search_log_truncate();
