-- Attain schema 0003 for PostgreSQL.

-- The compensation engine's inputs: quotas, plan assignments, credit splits, adjustments and
-- objective scores. Same portable rules as 0001: money is BIGINT minor units beside a TEXT
-- currency; decimals (quota amounts, percents, scores), dates and period names
-- ("2017-03", "2017-Q1", "FY2017") are TEXT. References to versioned positions are checked by
-- the app (a position's key is id + valid_from), so position_id has no foreign key.

CREATE TABLE "quotas" (
    "id" TEXT NOT NULL,
    "position_id" TEXT NOT NULL,
    "measure" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "currency" TEXT,
    PRIMARY KEY ("id")
);

CREATE TABLE "plan_assignments" (
    "id" TEXT NOT NULL,
    "position_id" TEXT NOT NULL,
    "plan_id" TEXT NOT NULL,
    "valid_from" TEXT NOT NULL,
    "valid_to" TEXT,
    PRIMARY KEY ("id")
);

CREATE TABLE "credit_splits" (
    "id" TEXT NOT NULL,
    "opportunity_id" TEXT NOT NULL REFERENCES "opportunities" ("id") DEFERRABLE INITIALLY DEFERRED,
    "person_id" TEXT NOT NULL REFERENCES "people" ("id") DEFERRABLE INITIALLY DEFERRED,
    "role" TEXT NOT NULL,
    "percent" TEXT NOT NULL,
    PRIMARY KEY ("id")
);

CREATE TABLE "adjustments" (
    "id" TEXT NOT NULL,
    "person_id" TEXT NOT NULL REFERENCES "people" ("id") DEFERRABLE INITIALLY DEFERRED,
    "period" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "entered_by" TEXT,
    PRIMARY KEY ("id")
);

CREATE TABLE "objective_scores" (
    "id" TEXT NOT NULL,
    "person_id" TEXT NOT NULL REFERENCES "people" ("id") DEFERRABLE INITIALLY DEFERRED,
    "period" TEXT NOT NULL,
    "objective" TEXT NOT NULL,
    "score" TEXT NOT NULL,
    PRIMARY KEY ("id")
);

-- The engine reads a position's quotas and a person's adjustments and scores per period, and
-- an opportunity's splits when it credits the deal.
CREATE INDEX "quotas_position" ON "quotas" ("position_id", "period");
CREATE INDEX "plan_assignments_position" ON "plan_assignments" ("position_id", "valid_from");
CREATE INDEX "credit_splits_opportunity" ON "credit_splits" ("opportunity_id");
CREATE INDEX "adjustments_person" ON "adjustments" ("person_id", "period");
CREATE INDEX "objective_scores_person" ON "objective_scores" ("person_id", "period");
