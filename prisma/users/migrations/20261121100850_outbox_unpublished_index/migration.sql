-- The relay polls `WHERE published_at IS NULL ORDER BY position LIMIT n`.
-- On the (published_at, position) index PostgreSQL chose a bitmap scan that
-- revisited every row published since the last vacuum (4 ms a poll after
-- 11,000 events in bench:checkout). A partial index on position holds only
-- what is still to publish, is read in order, and costs no index write when
-- a row is published. Prisma cannot declare a partial index: it lives here.
DROP INDEX "outbox_events_published_at_position_idx";
CREATE INDEX "outbox_events_unpublished_idx" ON "outbox_events"("position") WHERE "published_at" IS NULL;
