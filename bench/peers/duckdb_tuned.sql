-- The same answer as duckdb_plain.sql, tuned. What changes:
-- * types: amounts stay BIGINT minor units on the hot path (exact DECIMAL only once shares and
--   FX rates come in), kind and currency are ENUMs, only the columns used are loaded;
-- * the org is resolved before the transactions meet it: who is credited for each account on
--   which days (account → territory owner → holder, intersected once: ~210k rows), and every
--   position's ancestors with their holders and plans over time (the roll-up closure);
-- * pre-aggregation: transactions are summed per (payee, position, day, currency) before the
--   roll-up, so the closure is joined with day sums instead of transactions, and FX is applied
--   to month sums instead of rows;
-- * split and overlay credit is computed only for the transactions whose opportunity has
--   split rows (an anti-join sends the rest down the territory path).
-- run_peer.py creates plan_kinds and plan_tiers from plans/*.toml.

-- @load
CREATE TYPE txn_kind AS ENUM ('booking', 'invoice', 'payment', 'return', 'cancellation');
CREATE TABLE company AS
SELECT base_currency FROM read_csv('${DIR}/company.csv', header = true, all_varchar = true);
CREATE TABLE people AS
SELECT id, CAST(hire_date AS DATE) AS hire_date, CAST(termination_date AS DATE) AS termination_date
FROM read_csv('${DIR}/people.csv', header = true, all_varchar = true);
CREATE TABLE positions AS
SELECT id, CAST(valid_from AS DATE) AS valid_from, coalesce(CAST(valid_to AS DATE), DATE '9999-12-31') AS valid_to,
       reports_to
FROM read_csv('${DIR}/positions.csv', header = true, all_varchar = true);
CREATE TABLE assignments AS
SELECT person_id, position_id, CAST(valid_from AS DATE) AS valid_from,
       coalesce(CAST(valid_to AS DATE), DATE '9999-12-31') AS valid_to
FROM read_csv('${DIR}/assignments.csv', header = true, all_varchar = true);
CREATE TABLE territory_owners AS
SELECT territory_id, position_id, CAST(valid_from AS DATE) AS valid_from,
       coalesce(CAST(valid_to AS DATE), DATE '9999-12-31') AS valid_to
FROM read_csv('${DIR}/territory_owners.csv', header = true, all_varchar = true);
CREATE TABLE accounts AS
SELECT id, territory_id FROM read_csv('${DIR}/accounts.csv', header = true, all_varchar = true);
CREATE TABLE opportunities AS
SELECT id, account_id FROM read_csv('${DIR}/opportunities.csv', header = true, all_varchar = true);
CREATE TABLE credit_splits AS
SELECT opportunity_id, person_id, role, CAST(percent AS DECIMAL(9, 4)) AS percent
FROM read_csv('${DIR}/credit_splits.csv', header = true, all_varchar = true);
CREATE TABLE fx_rates AS
SELECT from_currency, to_currency, CAST(rate AS DECIMAL(18, 8)) AS rate, CAST(valid_from AS DATE) AS valid_from,
       coalesce(CAST(valid_to AS DATE), DATE '9999-12-31') AS valid_to
FROM read_csv('${DIR}/fx_rates.csv', header = true, all_varchar = true);
CREATE TABLE plan_assignments AS
SELECT position_id, plan_id, CAST(valid_from AS DATE) AS valid_from,
       coalesce(CAST(valid_to AS DATE), DATE '9999-12-31') AS valid_to
FROM read_csv('${DIR}/plan_assignments.csv', header = true, all_varchar = true);
CREATE TABLE transactions AS
SELECT id, date, CAST(kind AS txn_kind) AS kind, account_id, currency, amount, opportunity_id, original_id
FROM read_parquet('${TRANSACTIONS}');

-- @compute
-- Who holds which plan when (employed, assigned, the position carries the plan), in the year.
CREATE OR REPLACE TEMP TABLE held AS
SELECT a.person_id, a.position_id, pa.plan_id,
       greatest(a.valid_from, pa.valid_from, p.hire_date, DATE '${YEAR}-01-01') AS f,
       least(a.valid_to, pa.valid_to, coalesce(p.termination_date, DATE '9999-12-31'), DATE '${YEAR}-12-31' + 1) AS t
FROM assignments a
JOIN plan_assignments pa ON pa.position_id = a.position_id AND pa.valid_from < a.valid_to AND a.valid_from < pa.valid_to
JOIN people p ON p.id = a.person_id
WHERE greatest(a.valid_from, pa.valid_from, p.hire_date, DATE '${YEAR}-01-01')
    < least(a.valid_to, pa.valid_to, coalesce(p.termination_date, DATE '9999-12-31'), DATE '${YEAR}-12-31' + 1);

-- The days on which a person's credit of each kind counts, and for which plan.
CREATE OR REPLACE TEMP TABLE counts AS
SELECT h.person_id, h.plan_id, k.kind, h.f, h.t FROM held h JOIN plan_kinds k ON k.plan_id = h.plan_id;

-- Account → the holder (and their position) of the seat owning its territory, over time.
CREATE OR REPLACE TEMP TABLE account_holder AS
SELECT ac.id AS account_id, a.person_id, a.position_id,
       greatest(tw.valid_from, a.valid_from) AS f, least(tw.valid_to, a.valid_to) AS t
FROM accounts ac
JOIN territory_owners tw ON tw.territory_id = ac.territory_id
JOIN assignments a ON a.position_id = tw.position_id AND a.valid_from < tw.valid_to AND tw.valid_from < a.valid_to
JOIN people p ON p.id = a.person_id;

-- Every position's ancestors over time (each version of each link intersected up the line),
-- with the ancestor's holder and the days that holder's roll-up credit counts for a plan.
CREATE OR REPLACE TEMP TABLE rollup_to AS
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
JOIN assignments a ON a.position_id = up.ancestor AND a.valid_from < up.t AND up.f < a.valid_to
JOIN counts c ON c.person_id = a.person_id AND c.kind = 'rollup'
WHERE greatest(up.f, a.valid_from, c.f) < least(up.t, a.valid_to, c.t);

CREATE OR REPLACE TEMP TABLE primary_splits AS
SELECT s.opportunity_id, s.person_id, s.percent * 0.01 AS share
FROM credit_splits s SEMI JOIN people p ON p.id = s.person_id
WHERE s.role = 'primary';

CREATE OR REPLACE TEMP TABLE payouts AS
WITH
-- Counted transactions (bookings, cancellations of bookings) with their opportunity and
-- account resolved: most rows need no join at all.
plain_rows AS (
    SELECT date, currency, amount, opportunity_id AS opp, account_id AS acc
    FROM transactions
    WHERE kind = 'booking' AND original_id IS NULL AND date >= DATE '${YEAR}-01-01' AND date < DATE '${YEAR}-12-31' + 1
),
reversal_rows AS (
    SELECT t.date, t.currency, t.amount, coalesce(t.opportunity_id, o.opportunity_id) AS opp,
           coalesce(t.account_id, o.account_id) AS acc
    FROM transactions t JOIN transactions o ON o.id = t.original_id
    WHERE t.kind IN ('booking', 'cancellation') AND (t.kind = 'booking' OR o.kind = 'booking')
      AND t.date >= DATE '${YEAR}-01-01' AND t.date < DATE '${YEAR}-12-31' + 1
),
rows0 AS (SELECT * FROM plain_rows UNION ALL SELECT * FROM reversal_rows),
counted AS (
    SELECT * FROM rows0 WHERE acc IS NOT NULL OR opp IS NULL
    UNION ALL
    SELECT r.date, r.currency, r.amount, r.opp, op.account_id
    FROM rows0 r JOIN opportunities op ON op.id = r.opp WHERE r.acc IS NULL
),
-- Primary credit by territory (no primary split), summed per payee, position and day.
territory AS (
    SELECT h.person_id, h.position_id, c.date, c.currency, CAST(sum(c.amount) AS DECIMAL(38, 8)) AS units
    FROM counted c
    JOIN account_holder h ON h.account_id = c.acc AND c.date >= h.f AND c.date < h.t
    WHERE c.opp IS NULL OR c.opp NOT IN (SELECT opportunity_id FROM primary_splits)
    GROUP BY ALL
),
split AS (
    SELECT s.person_id, a.position_id, c.date, c.currency, sum(CAST(c.amount AS DECIMAL(38, 0)) * s.share) AS units
    FROM counted c
    JOIN primary_splits s ON s.opportunity_id = c.opp
    LEFT JOIN assignments a ON a.person_id = s.person_id AND c.date >= a.valid_from AND c.date < a.valid_to
    GROUP BY ALL
),
direct AS (SELECT * FROM territory UNION ALL SELECT * FROM split),
overlay AS (
    SELECT s.person_id, c.date, c.currency, sum(CAST(c.amount AS DECIMAL(38, 0)) * (s.percent * 0.01)) AS units
    FROM counted c
    JOIN credit_splits s ON s.opportunity_id = c.opp AND s.role = 'overlay'
    SEMI JOIN people p ON p.id = s.person_id
    GROUP BY ALL
),
-- Day sums → month sums per person, plan and currency, each credit kind on the days it counts.
by_month AS (
    SELECT c.person_id, c.plan_id, month(d.date) AS month, d.currency, sum(d.units) AS units
    FROM direct d JOIN counts c ON c.person_id = d.person_id AND c.kind = 'direct' AND d.date >= c.f AND d.date < c.t
    GROUP BY ALL
    UNION ALL
    SELECT c.person_id, c.plan_id, month(o.date), o.currency, sum(o.units)
    FROM overlay o JOIN counts c ON c.person_id = o.person_id AND c.kind = 'overlay' AND o.date >= c.f AND o.date < c.t
    GROUP BY ALL
    UNION ALL
    SELECT r.person_id, r.plan_id, month(d.date), d.currency, sum(d.units)
    FROM direct d JOIN rollup_to r ON r.position_id = d.position_id AND d.date >= r.f AND d.date < r.t
    GROUP BY ALL
),
-- Minor units → base currency at the month's rate (cents × 0.01 × rate), exact.
monthly AS (
    SELECT b.person_id, b.plan_id, b.month,
           sum(b.units * 0.01 * CASE WHEN b.currency = co.base_currency THEN 1 ELSE fx.rate END) AS total
    FROM by_month b
    CROSS JOIN company co
    LEFT JOIN fx_rates fx ON fx.from_currency = b.currency AND fx.to_currency = co.base_currency
         AND make_date(${YEAR}, b.month, 1) >= fx.valid_from AND make_date(${YEAR}, b.month, 1) < fx.valid_to
    GROUP BY ALL
),
statements AS (
    SELECT DISTINCT h.person_id, h.plan_id, m.month
    FROM held h JOIN (SELECT range::INTEGER AS month FROM range(1, 13)) m
      ON h.f < make_date(${YEAR}, m.month, 1) + INTERVAL 1 MONTH AND make_date(${YEAR}, m.month, 1) < h.t
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
    GROUP BY ALL
)
-- The year's lines, month by month: paid so far in cents p; this month's line is
-- round_half_even(earned × 100 − p), so p becomes ⌊x⌋ (+1 above a half, +1 at exactly a half
-- when ⌊x⌋ − p is odd), x = earned × 100.
SELECT person_id, sum(paid) * 0.01 AS payout
FROM (
    SELECT person_id, plan_id,
           list_reduce(list(earned * 100 ORDER BY month), lambda p, x:
               CAST(floor(x) AS DECIMAL(38, 0))
               + CASE WHEN x - floor(x) > 0.5 THEN 1
                      WHEN x - floor(x) < 0.5 THEN 0
                      WHEN (CAST(floor(x) AS DECIMAL(38, 0)) - p) % 2 = 0 THEN 0 ELSE 1 END,
               CAST(0 AS DECIMAL(38, 0))) AS paid
    FROM earned
    GROUP BY ALL
)
GROUP BY person_id;
