-- Attain schema v1 (postgres). Kept equivalent to ../sqlite/ by the store's
-- schema test, and column-for-column equal to attain-core's RecordSpecs. Portable rules: money is
-- BIGINT minor units beside a TEXT currency; dates, instants, decimals and choices are TEXT.

CREATE TABLE "company" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "base_currency" TEXT NOT NULL,
    "fiscal_year_start_month" BIGINT NOT NULL,
    "fiscal_year_naming" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    PRIMARY KEY ("id")
);

CREATE TABLE "people" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "hire_date" TEXT NOT NULL,
    "termination_date" TEXT,
    "pay_currency" TEXT,
    PRIMARY KEY ("id")
);

CREATE TABLE "positions" (
    "id" TEXT NOT NULL,
    "valid_from" TEXT NOT NULL,
    "valid_to" TEXT,
    "title" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "team" TEXT,
    "region" TEXT,
    "reports_to" TEXT,
    PRIMARY KEY ("id", "valid_from")
);

CREATE TABLE "assignments" (
    "id" TEXT NOT NULL,
    "person_id" TEXT NOT NULL REFERENCES "people" ("id") DEFERRABLE INITIALLY DEFERRED,
    "position_id" TEXT NOT NULL,
    "valid_from" TEXT NOT NULL,
    "valid_to" TEXT,
    PRIMARY KEY ("id")
);

CREATE TABLE "territories" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "parent_id" TEXT REFERENCES "territories" ("id") DEFERRABLE INITIALLY DEFERRED,
    "region" TEXT,
    PRIMARY KEY ("id")
);

CREATE TABLE "territory_owners" (
    "id" TEXT NOT NULL,
    "territory_id" TEXT NOT NULL REFERENCES "territories" ("id") DEFERRABLE INITIALLY DEFERRED,
    "position_id" TEXT NOT NULL,
    "valid_from" TEXT NOT NULL,
    "valid_to" TEXT,
    PRIMARY KEY ("id")
);

CREATE TABLE "products" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "family" TEXT,
    "currency" TEXT NOT NULL,
    "list_price" BIGINT,
    "unit_cost" BIGINT,
    PRIMARY KEY ("id")
);

CREATE TABLE "accounts" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "industry" TEXT,
    "country" TEXT,
    "region" TEXT,
    "size" TEXT,
    "revenue_currency" TEXT,
    "annual_revenue" BIGINT,
    "employees" BIGINT,
    "parent_id" TEXT REFERENCES "accounts" ("id") DEFERRABLE INITIALLY DEFERRED,
    "territory_id" TEXT REFERENCES "territories" ("id") DEFERRABLE INITIALLY DEFERRED,
    "owner_id" TEXT REFERENCES "people" ("id") DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY ("id")
);

CREATE TABLE "contacts" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL REFERENCES "accounts" ("id") DEFERRABLE INITIALLY DEFERRED,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "buying_role" TEXT NOT NULL,
    PRIMARY KEY ("id")
);

CREATE TABLE "opportunities" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    "account_id" TEXT REFERENCES "accounts" ("id") DEFERRABLE INITIALLY DEFERRED,
    "owner_id" TEXT NOT NULL REFERENCES "people" ("id") DEFERRABLE INITIALLY DEFERRED,
    "product_id" TEXT REFERENCES "products" ("id") DEFERRABLE INITIALLY DEFERRED,
    "currency" TEXT NOT NULL,
    "amount" BIGINT,
    "stage" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "probability" TEXT,
    "expected_close" TEXT,
    "deal_type" TEXT,
    "channel" TEXT,
    "created_on" TEXT,
    "closed_on" TEXT,
    "close_reason" TEXT,
    PRIMARY KEY ("id")
);

CREATE TABLE "stage_history" (
    "id" TEXT NOT NULL,
    "opportunity_id" TEXT NOT NULL REFERENCES "opportunities" ("id") DEFERRABLE INITIALLY DEFERRED,
    "stage" TEXT NOT NULL,
    "entered_on" TEXT NOT NULL,
    PRIMARY KEY ("id")
);

CREATE TABLE "activities" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL REFERENCES "people" ("id") DEFERRABLE INITIALLY DEFERRED,
    "account_id" TEXT REFERENCES "accounts" ("id") DEFERRABLE INITIALLY DEFERRED,
    "opportunity_id" TEXT REFERENCES "opportunities" ("id") DEFERRABLE INITIALLY DEFERRED,
    "contact_id" TEXT REFERENCES "contacts" ("id") DEFERRABLE INITIALLY DEFERRED,
    "occurred_at" TEXT NOT NULL,
    "subject" TEXT,
    "outcome" TEXT,
    PRIMARY KEY ("id")
);

CREATE TABLE "transactions" (
    "id" TEXT NOT NULL,
    "date" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "account_id" TEXT REFERENCES "accounts" ("id") DEFERRABLE INITIALLY DEFERRED,
    "product_id" TEXT REFERENCES "products" ("id") DEFERRABLE INITIALLY DEFERRED,
    "quantity" TEXT,
    "currency" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "cost" BIGINT,
    "opportunity_id" TEXT REFERENCES "opportunities" ("id") DEFERRABLE INITIALLY DEFERRED,
    "original_id" TEXT REFERENCES "transactions" ("id") DEFERRABLE INITIALLY DEFERRED,
    "owner_id" TEXT REFERENCES "people" ("id") DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY ("id")
);

CREATE TABLE "fx_rates" (
    "id" TEXT NOT NULL,
    "from_currency" TEXT NOT NULL,
    "to_currency" TEXT NOT NULL,
    "rate" TEXT NOT NULL,
    "valid_from" TEXT NOT NULL,
    "valid_to" TEXT,
    PRIMARY KEY ("id")
);


-- Lookups the importers, the UI and the engine make by reference and by date.
CREATE INDEX "assignments_person" ON "assignments" ("person_id", "valid_from");
CREATE INDEX "assignments_position" ON "assignments" ("position_id", "valid_from");
CREATE INDEX "territory_owners_territory" ON "territory_owners" ("territory_id", "valid_from");
CREATE INDEX "accounts_territory" ON "accounts" ("territory_id");
CREATE INDEX "contacts_account" ON "contacts" ("account_id");
CREATE INDEX "opportunities_owner" ON "opportunities" ("owner_id", "created_on");
CREATE INDEX "opportunities_account" ON "opportunities" ("account_id");
CREATE INDEX "stage_history_opportunity" ON "stage_history" ("opportunity_id", "entered_on");
CREATE INDEX "activities_owner" ON "activities" ("owner_id", "occurred_at");
CREATE INDEX "activities_opportunity" ON "activities" ("opportunity_id");
CREATE INDEX "transactions_date" ON "transactions" ("date");
CREATE INDEX "transactions_opportunity" ON "transactions" ("opportunity_id");
-- Only returns and cancellations name an original, so the index holds just those.
CREATE INDEX "transactions_original" ON "transactions" ("original_id") WHERE "original_id" IS NOT NULL;
