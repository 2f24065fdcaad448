-- Attain schema 0007 for SQLite.

-- The revenue plan's versions: one row per version of a fiscal year's company objectives and
-- its month shares. Same portable rules as 0001: money is BIGINT minor units beside a TEXT
-- currency; the shares (percent, two decimals) are TEXT decimals; instants are RFC 3339 TEXT.
-- The id is derived from year and version (rp-2017-v2), so the key also keeps versions unique.

CREATE TABLE "revenue_plans" (
    "id" TEXT NOT NULL,
    "fiscal_year" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "revenue" BIGINT NOT NULL,
    "margin" BIGINT NOT NULL,
    "bookings" BIGINT NOT NULL,
    "new_logos" BIGINT NOT NULL,
    "season" TEXT NOT NULL,
    "month_1" TEXT NOT NULL,
    "month_2" TEXT NOT NULL,
    "month_3" TEXT NOT NULL,
    "month_4" TEXT NOT NULL,
    "month_5" TEXT NOT NULL,
    "month_6" TEXT NOT NULL,
    "month_7" TEXT NOT NULL,
    "month_8" TEXT NOT NULL,
    "month_9" TEXT NOT NULL,
    "month_10" TEXT NOT NULL,
    "month_11" TEXT NOT NULL,
    "month_12" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "prepared_by" TEXT NOT NULL,
    "approved_by" TEXT,
    "approved_at" TEXT,
    PRIMARY KEY ("id")
);
