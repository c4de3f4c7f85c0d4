-- CreateIndex
CREATE INDEX "search_products_created_at_id_idx" ON "search_products"("created_at" DESC, "id" DESC);
