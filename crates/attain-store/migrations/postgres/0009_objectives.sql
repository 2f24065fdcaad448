-- Attain schema 0009 for PostgreSQL.

-- Individual objectives: what a seat is asked to reach per week, month, quarter or year on one
-- measure (bookings, calls, new opportunities), in force over [valid_from, valid_to). Same
-- portable rules as 0001: the target is a TEXT decimal (money in "currency" or a count);
-- dates are ISO TEXT. position_id has no foreign key, as with quotas (a position's key is
-- id + valid_from); the app checks it, and that a seat's objectives on one measure never
-- overlap.

CREATE TABLE "objectives" (
    "id" TEXT NOT NULL,
    "position_id" TEXT NOT NULL,
    "measure" TEXT NOT NULL,
    "cadence" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "currency" TEXT,
    "valid_from" TEXT NOT NULL,
    "valid_to" TEXT,
    "note" TEXT,
    "set_by" TEXT,
    PRIMARY KEY ("id")
);

CREATE INDEX "objectives_position" ON "objectives" ("position_id", "measure", "valid_from");
