-- Attain's full-year pay for the generated company in PostgreSQL, tuned like
-- duckdb_tuned.sql: the org resolved before the transactions meet it (account → holder over
-- time, every position's ancestors with their holders and plans over time), transactions
-- summed per (payee, position, day, currency) before the roll-up, FX applied to month sums;
-- amounts as bigint minor units on the hot path, exact numeric once shares and rates come in.
-- Server side: unlogged tables, statistics gathered after the load, work_mem large enough for
-- the hash joins and aggregates to stay in memory, two parallel workers (2 cores). Rounding is
-- half-even, written out (round() rounds half away from zero).
-- The CSV workspace is read by COPY (run_peer.py streams each file from the client).
-- run_peer.py creates plan_kinds and plan_tiers from plans/*.toml.

-- @load
SET work_mem = '512MB';
SET maintenance_work_mem = '512MB';
SET max_parallel_workers_per_gather = 2;
SET jit = off;
CREATE UNLOGGED TABLE company (id text, name text, base_currency text, fiscal_year_start_month int,
    fiscal_year_naming text, time_zone text);
COPY company FROM '${DIR}/company.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE people (id text, name text, email text, hire_date date, termination_date date,
    pay_currency text);
COPY people FROM '${DIR}/people.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE positions (id text, valid_from date, valid_to date, title text, role text, team text,
    region text, reports_to text);
COPY positions FROM '${DIR}/positions.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE assignments (id text, person_id text, position_id text, valid_from date, valid_to date);
COPY assignments FROM '${DIR}/assignments.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE territory_owners (id text, territory_id text, position_id text, valid_from date,
    valid_to date);
COPY territory_owners FROM '${DIR}/territory_owners.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE accounts (id text, name text, industry text, country text, region text, size text,
    revenue_currency text, annual_revenue text, employees text, parent_id text, territory_id text,
    owner_id text);
COPY accounts FROM '${DIR}/accounts.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE opportunities (id text, name text, account_id text, owner_id text, product_id text,
    currency text, amount text, stage text, status text, probability text, expected_close text,
    deal_type text, channel text, created_on text, closed_on text, close_reason text);
COPY opportunities FROM '${DIR}/opportunities.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE credit_splits (id text, opportunity_id text, person_id text, role text, percent numeric);
COPY credit_splits FROM '${DIR}/credit_splits.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE fx_rates (id text, from_currency text, to_currency text, rate numeric,
    valid_from date, valid_to date);
COPY fx_rates FROM '${DIR}/fx_rates.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE plan_assignments (id text, position_id text, plan_id text, valid_from date, valid_to date);
COPY plan_assignments FROM '${DIR}/plan_assignments.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE transactions_csv (id text, date date, kind text, account_id text, product_id text,
    quantity text, currency text, amount numeric, cost text, opportunity_id text, original_id text,
    owner_id text);
COPY transactions_csv FROM '${DIR}/transactions.csv' (FORMAT csv, HEADER true);
-- The hot table as the engine keeps it: minor units, only the columns used.
CREATE UNLOGGED TABLE transactions AS
SELECT id, date, kind, account_id, currency, (amount * 100)::bigint AS amount, opportunity_id, original_id
FROM transactions_csv;
DROP TABLE transactions_csv;
CREATE INDEX ON transactions (id);
CREATE INDEX ON credit_splits (opportunity_id);
CREATE INDEX ON assignments (person_id);
CREATE INDEX ON assignments (position_id);
CREATE INDEX ON positions (id);
CREATE INDEX ON accounts (id);
CREATE INDEX ON opportunities (id);
ANALYZE;

-- @compute
CREATE OR REPLACE FUNCTION half_even_cents(x numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS
'SELECT floor(x * 100) + CASE WHEN x * 100 - floor(x * 100) > 0.5 THEN 1 WHEN x * 100 - floor(x * 100) < 0.5 THEN 0 WHEN mod(floor(x * 100), 2) = 0 THEN 0 ELSE 1 END';
DROP TABLE IF EXISTS held, counts, account_holder, rollup_to, primary_splits, payouts;
-- Who holds which plan when (employed, assigned, the position carries the plan), in the year.
CREATE TEMP TABLE held AS
SELECT a.person_id, pa.plan_id,
       greatest(a.valid_from, pa.valid_from, p.hire_date, DATE '${YEAR}-01-01') AS f,
       least(coalesce(a.valid_to, 'infinity'), coalesce(pa.valid_to, 'infinity'),
             coalesce(p.termination_date, 'infinity'), DATE '${YEAR}-01-01' + interval '1 year')::date AS t
FROM assignments a
JOIN plan_assignments pa ON pa.position_id = a.position_id
JOIN people p ON p.id = a.person_id;
DELETE FROM held WHERE f >= t;
CREATE TEMP TABLE counts AS
SELECT h.person_id, h.plan_id, k.kind, h.f, h.t FROM held h JOIN plan_kinds k ON k.plan_id = h.plan_id;
-- Account → the holder (and their position) of the seat owning its territory, over time.
CREATE TEMP TABLE account_holder AS
SELECT ac.id AS account_id, a.person_id, a.position_id,
       greatest(tw.valid_from, a.valid_from) AS f,
       least(coalesce(tw.valid_to, 'infinity'), coalesce(a.valid_to, 'infinity')) AS t
FROM accounts ac
JOIN territory_owners tw ON tw.territory_id = ac.territory_id
JOIN assignments a ON a.position_id = tw.position_id
JOIN people p ON p.id = a.person_id
WHERE greatest(tw.valid_from, a.valid_from) < least(coalesce(tw.valid_to, 'infinity'), coalesce(a.valid_to, 'infinity'));
-- Every position's ancestors over time, with the ancestor's holder on the days their roll-up
-- credit counts for a plan.
CREATE TEMP TABLE rollup_to AS
WITH RECURSIVE up(position_id, ancestor, f, t, depth) AS (
    SELECT id, reports_to, valid_from, coalesce(valid_to, 'infinity'), 1 FROM positions WHERE reports_to IS NOT NULL
    UNION ALL
    SELECT up.position_id, pv.reports_to, greatest(up.f, pv.valid_from), least(up.t, coalesce(pv.valid_to, 'infinity')),
           up.depth + 1
    FROM up JOIN positions pv ON pv.id = up.ancestor
         AND pv.valid_from < up.t AND up.f < coalesce(pv.valid_to, 'infinity')
    WHERE pv.reports_to IS NOT NULL AND up.depth < 64
)
SELECT up.position_id, c.person_id, c.plan_id,
       greatest(up.f, a.valid_from, c.f) AS f, least(up.t, coalesce(a.valid_to, 'infinity'), c.t) AS t
FROM up
JOIN assignments a ON a.position_id = up.ancestor
JOIN counts c ON c.person_id = a.person_id AND c.kind = 'rollup'
WHERE greatest(up.f, a.valid_from, c.f) < least(up.t, coalesce(a.valid_to, 'infinity'), c.t);
CREATE TEMP TABLE primary_splits AS
SELECT s.opportunity_id, s.person_id, s.percent / 100 AS share
FROM credit_splits s WHERE s.role = 'primary' AND EXISTS (SELECT 1 FROM people p WHERE p.id = s.person_id);
ANALYZE held, counts, account_holder, rollup_to, primary_splits;
CREATE TEMP TABLE payouts AS
WITH RECURSIVE
counted AS MATERIALIZED (
    SELECT date, currency, amount, opportunity_id AS opp,
           coalesce(account_id, (SELECT op.account_id FROM opportunities op WHERE op.id = opportunity_id)) AS acc
    FROM transactions
    WHERE kind = 'booking' AND original_id IS NULL
      AND date >= DATE '${YEAR}-01-01' AND date < DATE '${YEAR}-01-01' + interval '1 year'
    UNION ALL
    SELECT t.date, t.currency, t.amount, coalesce(t.opportunity_id, o.opportunity_id),
           coalesce(t.account_id, o.account_id, op.account_id)
    FROM transactions t
    JOIN transactions o ON o.id = t.original_id
    LEFT JOIN opportunities op ON op.id = coalesce(t.opportunity_id, o.opportunity_id)
    WHERE t.kind IN ('booking', 'cancellation') AND (t.kind = 'booking' OR o.kind = 'booking')
      AND t.date >= DATE '${YEAR}-01-01' AND t.date < DATE '${YEAR}-01-01' + interval '1 year'
),
direct AS MATERIALIZED (
    SELECT h.person_id, h.position_id, c.date, c.currency, sum(c.amount)::numeric AS units
    FROM counted c
    JOIN account_holder h ON h.account_id = c.acc AND c.date >= h.f AND c.date < h.t
    WHERE c.opp IS NULL OR NOT EXISTS (SELECT 1 FROM primary_splits s WHERE s.opportunity_id = c.opp)
    GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT s.person_id, a.position_id, c.date, c.currency, sum(c.amount * s.share)
    FROM counted c
    JOIN primary_splits s ON s.opportunity_id = c.opp
    JOIN assignments a ON a.person_id = s.person_id
         AND c.date >= a.valid_from AND c.date < coalesce(a.valid_to, 'infinity')
    GROUP BY 1, 2, 3, 4
),
overlay AS (
    SELECT s.person_id, c.date, c.currency, sum(c.amount * s.percent / 100) AS units
    FROM counted c
    JOIN credit_splits s ON s.opportunity_id = c.opp AND s.role = 'overlay'
    WHERE EXISTS (SELECT 1 FROM people p WHERE p.id = s.person_id)
    GROUP BY 1, 2, 3
),
by_month AS (
    SELECT c.person_id, c.plan_id, extract(month FROM d.date)::int AS month, d.currency, sum(d.units) AS units
    FROM direct d JOIN counts c ON c.person_id = d.person_id AND c.kind = 'direct' AND d.date >= c.f AND d.date < c.t
    GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT c.person_id, c.plan_id, extract(month FROM o.date)::int, o.currency, sum(o.units)
    FROM overlay o JOIN counts c ON c.person_id = o.person_id AND c.kind = 'overlay' AND o.date >= c.f AND o.date < c.t
    GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT r.person_id, r.plan_id, extract(month FROM d.date)::int, d.currency, sum(d.units)
    FROM (SELECT position_id, date, currency, sum(units) AS units FROM direct GROUP BY 1, 2, 3) d
    JOIN rollup_to r ON r.position_id = d.position_id AND d.date >= r.f AND d.date < r.t
    GROUP BY 1, 2, 3, 4
),
monthly AS (
    SELECT b.person_id, b.plan_id, b.month,
           sum(b.units / 100 * CASE WHEN b.currency = co.base_currency THEN 1 ELSE fx.rate END) AS total
    FROM by_month b
    CROSS JOIN company co
    LEFT JOIN fx_rates fx ON fx.from_currency = b.currency AND fx.to_currency = co.base_currency
         AND make_date(${YEAR}, b.month, 1) >= fx.valid_from
         AND make_date(${YEAR}, b.month, 1) < coalesce(fx.valid_to, 'infinity')
    GROUP BY 1, 2, 3
),
statements AS (
    SELECT DISTINCT h.person_id, h.plan_id, m.month
    FROM held h JOIN generate_series(1, 12) AS m(month)
      ON h.f < make_date(${YEAR}, m.month, 1) + interval '1 month' AND make_date(${YEAR}, m.month, 1) < h.t
),
ytd AS (
    SELECT s.person_id, s.plan_id, s.month,
           coalesce(sum(mo.total) OVER (PARTITION BY s.person_id, s.plan_id ORDER BY s.month), 0) AS measure
    FROM statements s LEFT JOIN monthly mo USING (person_id, plan_id, month)
),
earned AS (
    SELECT y.person_id, y.plan_id, y.month,
           row_number() OVER (PARTITION BY y.person_id, y.plan_id ORDER BY y.month) AS n,
           sum(CASE WHEN y.measure <= t.tier_from THEN 0
                    ELSE (least(y.measure, coalesce(t.tier_to, y.measure)) - t.tier_from) * t.rate END) AS earned
    FROM ytd y JOIN plan_tiers t ON t.plan_id = y.plan_id
    GROUP BY 1, 2, 3
),
-- Each month's line is round_half_even(earned so far − paid so far), a month at a time; paid
-- so far in cents.
lines AS (
    SELECT person_id, plan_id, n, half_even_cents(earned) AS paid FROM earned WHERE n = 1
    UNION ALL
    SELECT l.person_id, l.plan_id, e.n, l.paid + half_even_cents(e.earned - l.paid / 100)
    FROM lines l JOIN earned e ON e.person_id = l.person_id AND e.plan_id = l.plan_id AND e.n = l.n + 1
)
SELECT person_id, sum(paid) / 100 AS payout
FROM (SELECT DISTINCT ON (person_id, plan_id) person_id, plan_id, paid FROM lines ORDER BY person_id, plan_id, n DESC) last
GROUP BY person_id;
