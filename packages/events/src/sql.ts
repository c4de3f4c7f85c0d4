/**
 * The DDL of the OutboxEvent and ProcessedEvent models (prisma/<domain>/schema.prisma,
 * plus the hand-written partial index of migration *_outbox_unpublished_index). Domain databases get these tables from
 * their migrations; tests of this package and scratch databases use this.
 */
export const OUTBOX_TABLES_DDL = `
CREATE TABLE IF NOT EXISTS "outbox_events" (
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
CREATE UNIQUE INDEX IF NOT EXISTS "outbox_events_event_id_key" ON "outbox_events"("event_id");
DROP INDEX IF EXISTS "outbox_events_published_at_position_idx";
CREATE INDEX IF NOT EXISTS "outbox_events_unpublished_idx" ON "outbox_events"("position") WHERE "published_at" IS NULL;
CREATE TABLE IF NOT EXISTS "processed_events" (
    "consumer" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer","event_id")
);
`;
