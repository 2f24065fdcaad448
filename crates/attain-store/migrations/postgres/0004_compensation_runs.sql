-- Attain schema 0004 for PostgreSQL.

-- Compensation plans and period runs. Plan files are stored as their exact text (the engine
-- loads and checks them); a run is one calculation of one month, kept for ever: a draft is
-- replaced by the next run of its month, a closed run is immutable, and reopening marks it
-- reopened (kept) so the month can be run again as a new version. Statements and the carry
-- into the next month are JSON snapshots of the engine's output; amounts in them are decimal
-- strings.

CREATE TABLE "plan_files" (
    "name" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    PRIMARY KEY ("name")
);

CREATE TABLE "comp_runs" (
    "id" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "version" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "input_hash" TEXT NOT NULL,
    "based_on" TEXT,
    "plans" TEXT NOT NULL,
    "carry" TEXT NOT NULL,
    "payees" BIGINT NOT NULL,
    "totals" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "closed_by" TEXT,
    "closed_at" TEXT,
    "reopened_by" TEXT,
    "reopened_at" TEXT,
    "reopen_reason" TEXT,
    PRIMARY KEY ("id"),
    UNIQUE ("period", "version")
);

CREATE TABLE "comp_statements" (
    "run_id" TEXT NOT NULL REFERENCES "comp_runs" ("id"),
    "person_id" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "payout" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    PRIMARY KEY ("run_id", "person_id")
);

CREATE INDEX "comp_statements_person" ON "comp_statements" ("person_id");
