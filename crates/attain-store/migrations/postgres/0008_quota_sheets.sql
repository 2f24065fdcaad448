-- Attain schema 0008 for PostgreSQL.

-- Quota sheets: one row per version of how a seat's annual target on a measure is divided
-- among the seats reporting to it. Same portable rules as 0001: money is BIGINT minor units
-- beside a TEXT currency; the over-assignment percent is a TEXT decimal; instants are RFC 3339
-- TEXT. The id is derived from year, measure, owner and version, so the key also keeps
-- versions unique. owner_position_id has no foreign key, as with quotas (a position's key is
-- id + valid_from); the app checks it.

CREATE TABLE "quota_sheets" (
    "id" TEXT NOT NULL,
    "fiscal_year" BIGINT NOT NULL,
    "measure" TEXT NOT NULL,
    "owner_position_id" TEXT NOT NULL,
    "version" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "envelope" BIGINT NOT NULL,
    "over_assignment" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "prepared_by" TEXT NOT NULL,
    "submitted_by" TEXT,
    "submitted_at" TEXT,
    "approved_by" TEXT,
    "approved_at" TEXT,
    "review_note" TEXT,
    PRIMARY KEY ("id")
);

-- A quota allocated on a sheet names it; an imported quota names none.
ALTER TABLE "quotas" ADD COLUMN "sheet_id" TEXT REFERENCES "quota_sheets" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "quotas_sheet" ON "quotas" ("sheet_id");
