-- Attain schema 0010 for SQLite.

-- Account-assignment rules and the territory each account is in over time. Same portable
-- rules as 0001: dates are ISO TEXT. A rule's value is an account id (named accounts,
-- overrides) or a country, region, industry or size band; the app checks that no two rules of
-- one precedence claim an account, and that an account's rows never overlap.

CREATE TABLE "territory_rules" (
    "id" TEXT NOT NULL,
    "territory_id" TEXT NOT NULL REFERENCES "territories" ("id") DEFERRABLE INITIALLY DEFERRED,
    "basis" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "valid_from" TEXT NOT NULL,
    "valid_to" TEXT,
    "note" TEXT,
    PRIMARY KEY ("id")
);

CREATE TABLE "account_territories" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL REFERENCES "accounts" ("id") DEFERRABLE INITIALLY DEFERRED,
    "territory_id" TEXT NOT NULL REFERENCES "territories" ("id") DEFERRABLE INITIALLY DEFERRED,
    "valid_from" TEXT NOT NULL,
    "valid_to" TEXT,
    "rule_id" TEXT,
    "assigned_by" TEXT,
    PRIMARY KEY ("id")
);

CREATE INDEX "account_territories_account" ON "account_territories" ("account_id", "valid_from");
