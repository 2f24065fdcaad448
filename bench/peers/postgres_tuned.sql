-- Attain's full-year pay for the generated company in PostgreSQL, tuned like
-- duckdb_tuned.sql:
-- * types: every id is interned to a dense integer when the CSV files are loaded (a
--   transaction's original becomes its row number), as Attain's fact store holds them; amounts
--   are bigint minor units on the hot path, shares bigint millionths; exact numeric only for
--   the month sums, once FX rates come in;
-- * the org is resolved before the transactions meet it (account → holder over time, every
--   position's ancestors with their holders and plans over time), and each (person, position)
--   assignment is cut into pieces inside which nothing that decides pay changes (month, plan
--   holding, roll-up targets): one pass sums the transactions per piece, then only the piece
--   sums meet the plans, the roll-up and the FX rates;
-- * server side: unlogged tables, statistics gathered after the load, work_mem large enough for
--   the hash joins and aggregates to stay in memory, two parallel workers (2 cores), no JIT;
--   the intermediate results are unlogged tables (not CTEs, not temporary tables, which
--   parallel workers cannot read), analysed, so the planner knows their sizes; joins in the
--   order written (join_collapse_limit = 1: transactions → account holder → piece);
-- * the monthly lines are a custom aggregate (paid_cents) folded over the months in order:
--   round half-even written out (round() rounds half away from zero).
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
CREATE UNLOGGED TABLE people_csv (id text, name text, email text, hire_date date, termination_date date,
    pay_currency text);
COPY people_csv FROM '${DIR}/people.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE positions_csv (id text, valid_from date, valid_to date, title text, role text, team text,
    region text, reports_to text);
COPY positions_csv FROM '${DIR}/positions.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE assignments_csv (id text, person_id text, position_id text, valid_from date, valid_to date);
COPY assignments_csv FROM '${DIR}/assignments.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE territories_csv (id text, name text, parent_id text, region text);
COPY territories_csv FROM '${DIR}/territories.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE territory_owners_csv (id text, territory_id text, position_id text, valid_from date,
    valid_to date);
COPY territory_owners_csv FROM '${DIR}/territory_owners.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE accounts_csv (id text, name text, industry text, country text, region text, size text,
    revenue_currency text, annual_revenue text, employees text, parent_id text, territory_id text,
    owner_id text);
COPY accounts_csv FROM '${DIR}/accounts.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE opportunities_csv (id text, name text, account_id text, owner_id text, product_id text,
    currency text, amount text, stage text, status text, probability text, expected_close text,
    deal_type text, channel text, created_on text, closed_on text, close_reason text);
COPY opportunities_csv FROM '${DIR}/opportunities.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE credit_splits_csv (id text, opportunity_id text, person_id text, role text, percent numeric);
COPY credit_splits_csv FROM '${DIR}/credit_splits.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE fx_rates (id text, from_currency text, to_currency text, rate numeric,
    valid_from date, valid_to date);
COPY fx_rates FROM '${DIR}/fx_rates.csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE plan_assignments_csv (id text, position_id text, plan_id text, valid_from date, valid_to date);
COPY plan_assignments_csv FROM '${DIR}/plan_assignments.csv' (FORMAT csv, HEADER true);
-- Row numbers in file order: a transaction's number, and what its original's id becomes.
CREATE UNLOGGED TABLE transactions_csv (n bigserial, id text, date date, kind text, account_id text, product_id text,
    quantity text, currency text, amount numeric, cost text, opportunity_id text, original_id text,
    owner_id text);
COPY transactions_csv (id, date, kind, account_id, product_id, quantity, currency, amount, cost, opportunity_id,
    original_id, owner_id) FROM '${DIR}/transactions.csv' (FORMAT csv, HEADER true);
-- Interned ids.
CREATE UNLOGGED TABLE people AS
SELECT (row_number() OVER (ORDER BY id))::int AS id, id AS code, hire_date,
       coalesce(termination_date, 'infinity') AS termination_date
FROM people_csv;
CREATE UNLOGGED TABLE position_ids AS
SELECT (row_number() OVER (ORDER BY id))::int AS id, id AS code FROM (SELECT DISTINCT id FROM positions_csv) p;
CREATE UNLOGGED TABLE positions AS
SELECT i.id, p.valid_from, coalesce(p.valid_to, 'infinity') AS valid_to, r.id AS reports_to
FROM positions_csv p JOIN position_ids i ON i.code = p.id LEFT JOIN position_ids r ON r.code = p.reports_to;
CREATE UNLOGGED TABLE assignments AS
SELECT pe.id AS person_id, po.id AS position_id, a.valid_from, coalesce(a.valid_to, 'infinity') AS valid_to
FROM assignments_csv a JOIN people pe ON pe.code = a.person_id JOIN position_ids po ON po.code = a.position_id;
CREATE UNLOGGED TABLE territory_ids AS
SELECT (row_number() OVER (ORDER BY id))::int AS id, id AS code FROM territories_csv;
CREATE UNLOGGED TABLE territory_owners AS
SELECT t.id AS territory_id, po.id AS position_id, tw.valid_from, coalesce(tw.valid_to, 'infinity') AS valid_to
FROM territory_owners_csv tw JOIN territory_ids t ON t.code = tw.territory_id
JOIN position_ids po ON po.code = tw.position_id;
CREATE UNLOGGED TABLE accounts AS
SELECT (row_number() OVER (ORDER BY a.id))::int AS id, a.id AS code, t.id AS territory_id
FROM accounts_csv a LEFT JOIN territory_ids t ON t.code = a.territory_id;
CREATE UNLOGGED TABLE opportunities AS
SELECT (row_number() OVER (ORDER BY o.id))::int AS id, o.id AS code, a.id AS account_id
FROM opportunities_csv o LEFT JOIN accounts a ON a.code = o.account_id;
CREATE UNLOGGED TABLE credit_splits AS
SELECT o.id AS opportunity_id, p.id AS person_id, s.role, (s.percent * 10000)::bigint AS share
FROM credit_splits_csv s JOIN opportunities o ON o.code = s.opportunity_id LEFT JOIN people p ON p.code = s.person_id;
CREATE UNLOGGED TABLE plan_assignments AS
SELECT po.id AS position_id, pa.plan_id, pa.valid_from, coalesce(pa.valid_to, 'infinity') AS valid_to
FROM plan_assignments_csv pa JOIN position_ids po ON po.code = pa.position_id;
CREATE UNLOGGED TABLE transactions AS
SELECT t.n AS id, t.date, t.kind, a.id AS account_id, t.currency, (t.amount * 100)::bigint AS amount,
       o.id AS opportunity_id, orig.n AS original_id
FROM transactions_csv t
LEFT JOIN accounts a ON a.code = t.account_id
LEFT JOIN opportunities o ON o.code = t.opportunity_id
LEFT JOIN transactions_csv orig ON orig.id = t.original_id;
DROP TABLE people_csv, positions_csv, assignments_csv, territories_csv, territory_owners_csv, accounts_csv,
    opportunities_csv, credit_splits_csv, plan_assignments_csv, transactions_csv;
CREATE INDEX ON transactions (id);
CREATE INDEX ON opportunities (id);
ANALYZE;

-- @compute
-- Join order as written: the planner underestimates (account → holder) ⋈ pieces and would
-- otherwise put that product inside a nested loop over the transactions.
SET join_collapse_limit = 1;
CREATE OR REPLACE FUNCTION pay_step(p bigint, earned numeric) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT floor(earned * 100)::bigint + CASE WHEN earned * 100 - floor(earned * 100) > 0.5 THEN 1 WHEN earned * 100 - floor(earned * 100) < 0.5 THEN 0 WHEN (floor(earned * 100)::bigint - p) % 2 = 0 THEN 0 ELSE 1 END';
-- Paid so far, in cents, after each month: this month's line is round_half_even(earned − paid).
CREATE OR REPLACE AGGREGATE paid_cents(numeric) (SFUNC = pay_step, STYPE = bigint, INITCOND = '0');
DROP TABLE IF EXISTS held, counts, account_holder, rollup_to, assigned, pieces, piece_targets, primary_opps,
    counted, piece_sums, by_month, payouts;
-- Who holds which plan when (employed, assigned, the position carries the plan), in the year.
CREATE UNLOGGED TABLE held AS
SELECT a.person_id, pa.plan_id,
       greatest(a.valid_from, pa.valid_from, p.hire_date, DATE '${YEAR}-01-01') AS f,
       least(a.valid_to, pa.valid_to, p.termination_date, DATE '${YEAR}-12-31' + 1) AS t
FROM assignments a
JOIN plan_assignments pa ON pa.position_id = a.position_id
JOIN people p ON p.id = a.person_id
WHERE greatest(a.valid_from, pa.valid_from, p.hire_date, DATE '${YEAR}-01-01')
    < least(a.valid_to, pa.valid_to, p.termination_date, DATE '${YEAR}-12-31' + 1);
CREATE UNLOGGED TABLE counts AS
SELECT h.person_id, h.plan_id, k.kind, h.f, h.t FROM held h JOIN plan_kinds k ON k.plan_id = h.plan_id;
-- Account → the holder (and their position) of the seat owning its territory, over time.
CREATE UNLOGGED TABLE account_holder AS
SELECT ac.id AS account_id, a.person_id, a.position_id,
       greatest(tw.valid_from, a.valid_from) AS f, least(tw.valid_to, a.valid_to) AS t
FROM accounts ac
JOIN territory_owners tw ON tw.territory_id = ac.territory_id
JOIN assignments a ON a.position_id = tw.position_id
WHERE greatest(tw.valid_from, a.valid_from) < least(tw.valid_to, a.valid_to);
-- Every position's ancestors over time, with the ancestor's holder on the days their roll-up
-- credit counts for a plan.
CREATE UNLOGGED TABLE rollup_to AS
WITH RECURSIVE up(position_id, ancestor, f, t, depth) AS (
    SELECT id, reports_to, valid_from, valid_to, 1 FROM positions WHERE reports_to IS NOT NULL
    UNION ALL
    SELECT up.position_id, pv.reports_to, greatest(up.f, pv.valid_from), least(up.t, pv.valid_to), up.depth + 1
    FROM up JOIN positions pv ON pv.id = up.ancestor AND pv.valid_from < up.t AND up.f < pv.valid_to
    WHERE pv.reports_to IS NOT NULL AND up.depth < 64
)
SELECT up.position_id, c.person_id, c.plan_id,
       greatest(up.f, a.valid_from, c.f) AS f, least(up.t, a.valid_to, c.t) AS t
FROM up
JOIN assignments a ON a.position_id = up.ancestor
JOIN counts c ON c.person_id = a.person_id AND c.kind = 'rollup'
WHERE greatest(up.f, a.valid_from, c.f) < least(up.t, a.valid_to, c.t);
-- Each (person, position) assignment in the year, cut into pieces (month, plan holding, roll-up
-- targets), and where each piece's sum goes.
CREATE UNLOGGED TABLE assigned AS
SELECT person_id, position_id, greatest(valid_from, DATE '${YEAR}-01-01') AS f,
       least(valid_to, DATE '${YEAR}-12-31' + 1) AS t
FROM assignments WHERE valid_from < DATE '${YEAR}-12-31' + 1 AND valid_to > DATE '${YEAR}-01-01';
CREATE UNLOGGED TABLE pieces AS
WITH cuts AS (
    SELECT person_id, position_id, f AS d FROM assigned
    UNION
    SELECT a.person_id, a.position_id, make_date(${YEAR}, m, 1)
    FROM assigned a JOIN generate_series(2, 12) m ON make_date(${YEAR}, m, 1) > a.f AND make_date(${YEAR}, m, 1) < a.t
    UNION
    SELECT a.person_id, a.position_id, b.d
    FROM assigned a JOIN (SELECT person_id, f AS d FROM counts UNION SELECT person_id, t FROM counts) b
      ON b.person_id = a.person_id AND b.d > a.f AND b.d < a.t
    UNION
    SELECT a.person_id, a.position_id, b.d
    FROM assigned a JOIN (SELECT position_id, f AS d FROM rollup_to UNION SELECT position_id, t FROM rollup_to) b
      ON b.position_id = a.position_id AND b.d > a.f AND b.d < a.t
)
SELECT (row_number() OVER ())::int AS piece, c.person_id, c.position_id, extract(month FROM c.d)::int AS month,
       c.d AS f, coalesce(lead(c.d) OVER (PARTITION BY c.person_id, c.position_id, a.f ORDER BY c.d), a.t) AS t
FROM cuts c JOIN assigned a ON a.person_id = c.person_id AND a.position_id = c.position_id
     AND c.d >= a.f AND c.d < a.t;
CREATE UNLOGGED TABLE piece_targets AS
SELECT p.piece, c.person_id, c.plan_id, p.month
FROM pieces p JOIN counts c ON c.person_id = p.person_id AND c.kind = 'direct' AND p.f >= c.f AND p.t <= c.t
UNION ALL
SELECT p.piece, r.person_id, r.plan_id, p.month
FROM pieces p JOIN rollup_to r ON r.position_id = p.position_id AND p.f >= r.f AND p.t <= r.t;
CREATE UNLOGGED TABLE primary_opps AS
SELECT DISTINCT s.opportunity_id FROM credit_splits s WHERE s.role = 'primary' AND s.person_id IS NOT NULL;
ANALYZE held, counts, account_holder, rollup_to, pieces, piece_targets, primary_opps;
-- The pass over the transactions: the counted rows (bookings, cancellations of bookings) with
-- their opportunity and account resolved, once; then primary credit summed per piece in
-- millionths of a minor unit — by territory (no primary split), or by split to the person's
-- position on the day — and overlay credit per person, plan and month.
CREATE UNLOGGED TABLE counted AS
SELECT t.date, t.currency, t.amount, t.opportunity_id AS opp,
       coalesce(t.account_id, (SELECT op.account_id FROM opportunities op WHERE op.id = t.opportunity_id)) AS acc
FROM transactions t
WHERE t.kind = 'booking' AND t.original_id IS NULL
  AND t.date >= DATE '${YEAR}-01-01' AND t.date < DATE '${YEAR}-12-31' + 1
UNION ALL
SELECT t.date, t.currency, t.amount, coalesce(t.opportunity_id, o.opportunity_id),
       coalesce(t.account_id, o.account_id, op.account_id)
FROM transactions t
JOIN transactions o ON o.id = t.original_id
LEFT JOIN opportunities op ON op.id = coalesce(t.opportunity_id, o.opportunity_id)
WHERE t.kind IN ('booking', 'cancellation') AND (t.kind = 'booking' OR o.kind = 'booking')
  AND t.date >= DATE '${YEAR}-01-01' AND t.date < DATE '${YEAR}-12-31' + 1;
ANALYZE counted;
CREATE UNLOGGED TABLE piece_sums AS
SELECT p.piece, c.currency, (sum(c.amount) * 1000000)::bigint AS units
FROM counted c
JOIN account_holder h ON h.account_id = c.acc AND c.date >= h.f AND c.date < h.t
JOIN pieces p ON p.person_id = h.person_id AND p.position_id = h.position_id
     AND p.month = extract(month FROM c.date)::int AND c.date >= p.f AND c.date < p.t
WHERE c.opp IS NULL OR NOT EXISTS (SELECT 1 FROM primary_opps s WHERE s.opportunity_id = c.opp)
GROUP BY 1, 2
UNION ALL
SELECT p.piece, c.currency, sum(c.amount * s.share)::bigint
FROM counted c
JOIN credit_splits s ON s.opportunity_id = c.opp AND s.role = 'primary' AND s.person_id IS NOT NULL
JOIN pieces p ON p.person_id = s.person_id AND p.month = extract(month FROM c.date)::int
     AND c.date >= p.f AND c.date < p.t
GROUP BY 1, 2;
CREATE UNLOGGED TABLE by_month AS
SELECT x.person_id, x.plan_id, x.month, d.currency, sum(d.units) AS units
FROM piece_sums d JOIN piece_targets x ON x.piece = d.piece
GROUP BY 1, 2, 3, 4
UNION ALL
SELECT c.person_id, c.plan_id, extract(month FROM t.date)::int, t.currency, sum(t.amount * s.share)
FROM counted t
JOIN credit_splits s ON s.opportunity_id = t.opp AND s.role = 'overlay'
JOIN counts c ON c.person_id = s.person_id AND c.kind = 'overlay' AND t.date >= c.f AND t.date < c.t
GROUP BY 1, 2, 3, 4;
CREATE UNLOGGED TABLE payouts AS
WITH
-- Millionths of minor units → base currency at the month's rate, exact.
monthly AS (
    SELECT b.person_id, b.plan_id, b.month,
           sum(b.units * 0.00000001 * CASE WHEN b.currency = co.base_currency THEN 1 ELSE fx.rate END) AS total
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
           sum(CASE WHEN y.measure <= t.tier_from THEN 0
                    ELSE (least(y.measure, coalesce(t.tier_to, y.measure)) - t.tier_from) * t.rate END) AS earned
    FROM ytd y JOIN plan_tiers t ON t.plan_id = y.plan_id
    GROUP BY 1, 2, 3
)
SELECT pe.code AS person_id, sum(x.paid) / 100.0 AS payout
FROM (SELECT person_id, plan_id, paid_cents(earned ORDER BY month) AS paid FROM earned GROUP BY 1, 2) x
JOIN people pe ON pe.id = x.person_id
GROUP BY pe.code;
