-- Attain schema 0006 for SQLite.

-- Per-month input digests of a run (docs/plans.md, "Prior-period adjustments"): a JSON
-- object from month (`2017-03`) to the SHA-256 of what that month's calculation reads, as
-- the run saw them when it was calculated, for every month from the first up to its own.
-- A later run recalculates closed months only from the fiscal year of the first month whose
-- digest differs from these. Runs stored before this migration have none (NULL): every month
-- counts as changed for them.
ALTER TABLE "comp_runs" ADD COLUMN "input_digests" TEXT;
