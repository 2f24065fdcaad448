-- The same answer as duckdb_plain.sql, tuned. What changes:
-- * types: every id is interned to a dense INTEGER when the files are loaded (a transaction's
--   original becomes its row number), as Attain's fact store holds them; amounts stay BIGINT
--   minor units on the hot path and shares are BIGINT millionths (exact DECIMAL only for the
--   month sums, once FX rates come in); kinds are an ENUM; only the columns used are loaded;
-- * the org is resolved before the transactions meet it: who is credited for each account on
--   which days (account → territory owner → holder, intersected once: ~210k rows), and every
--   position's ancestors with their holders and plans over time (the roll-up closure);
-- * pre-aggregation: each (person, position) assignment is cut into pieces inside which
--   nothing that decides pay changes (the month, the person's plan holding, the position's
--   roll-up targets); the transactions are summed per piece in one pass, and only the piece
--   sums (~10^5 rows at any size) meet the plans, the roll-up closure and the FX rates;
-- * join order: the common case (a booking with no original and no split) needs one join;
--   cancellations take their opportunity and account from the original, splits and overlays
--   are joined only with the rows whose opportunity has split rows.
-- run_peer.py creates plan_kinds and plan_tiers from plans/*.toml.

-- @load
CREATE TYPE txn_kind AS ENUM ('booking', 'invoice', 'payment', 'return', 'cancellation');
CREATE TABLE company AS
SELECT base_currency FROM read_csv('${DIR}/company.csv', header = true, all_varchar = true);
CREATE TABLE people AS
SELECT CAST(row_number() OVER () AS INTEGER) AS id, id AS code, CAST(hire_date AS DATE) AS hire_date,
       CAST(termination_date AS DATE) AS termination_date
FROM read_csv('${DIR}/people.csv', header = true, all_varchar = true);
CREATE TEMP TABLE positions_csv AS
SELECT * FROM read_csv('${DIR}/positions.csv', header = true, all_varchar = true);
CREATE TABLE position_ids AS
SELECT CAST(row_number() OVER () AS INTEGER) AS id, code FROM (SELECT DISTINCT id AS code FROM positions_csv);
CREATE TABLE positions AS
SELECT i.id, CAST(p.valid_from AS DATE) AS valid_from, coalesce(CAST(p.valid_to AS DATE), DATE '9999-12-31') AS valid_to,
       r.id AS reports_to
FROM positions_csv p JOIN position_ids i ON i.code = p.id LEFT JOIN position_ids r ON r.code = p.reports_to;
DROP TABLE positions_csv;
CREATE TABLE assignments AS
SELECT pe.id AS person_id, po.id AS position_id, CAST(a.valid_from AS DATE) AS valid_from,
       coalesce(CAST(a.valid_to AS DATE), DATE '9999-12-31') AS valid_to
FROM read_csv('${DIR}/assignments.csv', header = true, all_varchar = true) a
JOIN people pe ON pe.code = a.person_id JOIN position_ids po ON po.code = a.position_id;
CREATE TABLE territory_ids AS
SELECT CAST(row_number() OVER () AS INTEGER) AS id, id AS code
FROM read_csv('${DIR}/territories.csv', header = true, all_varchar = true);
CREATE TABLE territory_owners AS
SELECT t.id AS territory_id, po.id AS position_id, CAST(tw.valid_from AS DATE) AS valid_from,
       coalesce(CAST(tw.valid_to AS DATE), DATE '9999-12-31') AS valid_to
FROM read_csv('${DIR}/territory_owners.csv', header = true, all_varchar = true) tw
JOIN territory_ids t ON t.code = tw.territory_id JOIN position_ids po ON po.code = tw.position_id;
CREATE TABLE accounts AS
SELECT CAST(row_number() OVER () AS INTEGER) AS id, a.id AS code, t.id AS territory_id
FROM read_csv('${DIR}/accounts.csv', header = true, all_varchar = true) a
LEFT JOIN territory_ids t ON t.code = a.territory_id;
CREATE TABLE opportunities AS
SELECT CAST(row_number() OVER () AS INTEGER) AS id, o.id AS code, a.id AS account_id
FROM read_csv('${DIR}/opportunities.csv', header = true, all_varchar = true) o
LEFT JOIN accounts a ON a.code = o.account_id;
CREATE TABLE credit_splits AS
SELECT o.id AS opportunity_id, p.id AS person_id, s.role, CAST(s.percent AS DECIMAL(9, 4)) AS percent
FROM read_csv('${DIR}/credit_splits.csv', header = true, all_varchar = true) s
JOIN opportunities o ON o.code = s.opportunity_id LEFT JOIN people p ON p.code = s.person_id;
CREATE TABLE fx_rates AS
SELECT from_currency, to_currency, CAST(rate AS DECIMAL(18, 8)) AS rate, CAST(valid_from AS DATE) AS valid_from,
       coalesce(CAST(valid_to AS DATE), DATE '9999-12-31') AS valid_to
FROM read_csv('${DIR}/fx_rates.csv', header = true, all_varchar = true);
CREATE TABLE plan_assignments AS
SELECT po.id AS position_id, pa.plan_id, CAST(pa.valid_from AS DATE) AS valid_from,
       coalesce(CAST(pa.valid_to AS DATE), DATE '9999-12-31') AS valid_to
FROM read_csv('${DIR}/plan_assignments.csv', header = true, all_varchar = true) pa
JOIN position_ids po ON po.code = pa.position_id;
CREATE TABLE transactions AS
SELECT t.file_row_number AS id, t.date, CAST(t.kind AS txn_kind) AS kind, a.id AS account_id, t.currency, t.amount,
       o.id AS opportunity_id, orig.file_row_number AS original_id
FROM read_parquet('${TRANSACTIONS}', file_row_number = true) t
LEFT JOIN accounts a ON a.code = t.account_id
LEFT JOIN opportunities o ON o.code = t.opportunity_id
LEFT JOIN (SELECT id, file_row_number FROM read_parquet('${TRANSACTIONS}', file_row_number = true)) orig
       ON orig.id = t.original_id;

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

-- Each (person, position) assignment in the year cut into pieces inside which nothing that
-- decides pay changes: the month, the person's plan holding, the position's roll-up targets.
-- Credits are summed per piece; the pieces then meet the plans and the roll-up (few rows).
CREATE OR REPLACE TEMP TABLE assigned AS
SELECT person_id, position_id, greatest(valid_from, DATE '${YEAR}-01-01') AS f,
       least(valid_to, DATE '${YEAR}-12-31' + 1) AS t
FROM assignments
WHERE valid_from < DATE '${YEAR}-12-31' + 1 AND valid_to > DATE '${YEAR}-01-01';

CREATE OR REPLACE TEMP TABLE pieces AS
WITH cuts AS (
    SELECT person_id, position_id, f AS d FROM assigned
    UNION
    SELECT a.person_id, a.position_id, make_date(${YEAR}, m.month, 1)
    FROM assigned a JOIN (SELECT range::INTEGER AS month FROM range(2, 13)) m
      ON make_date(${YEAR}, m.month, 1) > a.f AND make_date(${YEAR}, m.month, 1) < a.t
    UNION
    SELECT a.person_id, a.position_id, b.d
    FROM assigned a JOIN (SELECT person_id, f AS d FROM counts UNION SELECT person_id, t FROM counts) b
      ON b.person_id = a.person_id AND b.d > a.f AND b.d < a.t
    UNION
    SELECT a.person_id, a.position_id, b.d
    FROM assigned a JOIN (SELECT position_id, f AS d FROM rollup_to UNION SELECT position_id, t FROM rollup_to) b
      ON b.position_id = a.position_id AND b.d > a.f AND b.d < a.t
)
SELECT row_number() OVER () AS piece, c.person_id, c.position_id, month(c.d) AS month, c.d AS f,
       coalesce(lead(c.d) OVER (PARTITION BY c.person_id, c.position_id, a.f ORDER BY c.d), a.t) AS t
FROM cuts c JOIN assigned a ON a.person_id = c.person_id AND a.position_id = c.position_id
     AND c.d >= a.f AND c.d < a.t;

-- Where each piece's sum goes: the person's own plan (direct credit) and every holder above the
-- position on those days (roll-up), each with the plan it counts for.
CREATE OR REPLACE TEMP TABLE piece_targets AS
SELECT p.piece, c.person_id, c.plan_id, p.month
FROM pieces p JOIN counts c ON c.person_id = p.person_id AND c.kind = 'direct' AND p.f >= c.f AND p.t <= c.t
UNION ALL
SELECT p.piece, r.person_id, r.plan_id, p.month
FROM pieces p JOIN rollup_to r ON r.position_id = p.position_id AND p.f >= r.f AND p.t <= r.t;

-- Primary split shares in millionths (exact for percents with up to four decimals).
CREATE OR REPLACE TEMP TABLE primary_splits AS
SELECT s.opportunity_id, s.person_id, CAST(s.percent * 10000 AS BIGINT) AS share
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
-- Primary credit per piece, in millionths of a minor unit: by territory (no primary split)…
territory AS (
    SELECT p.piece, c.currency, sum(c.amount) * 1000000 AS units
    FROM counted c
    JOIN account_holder h ON h.account_id = c.acc AND c.date >= h.f AND c.date < h.t
    JOIN pieces p ON p.person_id = h.person_id AND p.position_id = h.position_id AND p.month = month(c.date)
         AND c.date >= p.f AND c.date < p.t
    WHERE c.opp IS NULL OR c.opp NOT IN (SELECT opportunity_id FROM primary_splits)
    GROUP BY ALL
),
-- …or by split, to the person's position on the day.
split AS (
    SELECT p.piece, c.currency, sum(c.amount * s.share) AS units
    FROM counted c
    JOIN primary_splits s ON s.opportunity_id = c.opp
    JOIN pieces p ON p.person_id = s.person_id AND p.month = month(c.date) AND c.date >= p.f AND c.date < p.t
    GROUP BY ALL
),
direct AS (SELECT * FROM territory UNION ALL SELECT * FROM split),
overlay AS (
    SELECT c.person_id, c.plan_id, month(o.date) AS month, o.currency, sum(o.amount * CAST(s.percent * 10000 AS BIGINT)) AS units
    FROM counted o
    JOIN credit_splits s ON s.opportunity_id = o.opp AND s.role = 'overlay'
    JOIN counts c ON c.person_id = s.person_id AND c.kind = 'overlay' AND o.date >= c.f AND o.date < c.t
    GROUP BY ALL
),
by_month AS (
    SELECT x.person_id, x.plan_id, x.month, d.currency, sum(d.units) AS units
    FROM direct d JOIN piece_targets x USING (piece) GROUP BY ALL
    UNION ALL
    SELECT * FROM overlay
),
-- Millionths of minor units → base currency at the month's rate: units × 1e-8 × rate, exact.
monthly AS (
    SELECT b.person_id, b.plan_id, b.month,
           sum(CAST(b.units AS DECIMAL(38, 0)) * 0.00000001 * CASE WHEN b.currency = co.base_currency THEN 1 ELSE fx.rate END) AS total
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
-- round_half_even(earned × 100 − p), so p becomes ⌊x⌋, +1 above a half, and +1 at exactly a
-- half when ⌊x⌋ − p is odd (x = earned × 100). Only the integer part and the side of the half
-- go into the fold, so it runs on integers.
SELECT pe.code AS person_id, sum(paid) * 0.01 AS payout
FROM (
    SELECT person_id, plan_id,
           list_reduce(list({'fl': fl, 'c': c} ORDER BY month), lambda p, x:
               x.fl + CASE WHEN x.c > 0 THEN 1 WHEN x.c < 0 THEN 0 WHEN (x.fl - p) % 2 = 0 THEN 0 ELSE 1 END,
               CAST(0 AS BIGINT)) AS paid
    FROM (SELECT person_id, plan_id, month, CAST(floor(earned * 100) AS BIGINT) AS fl,
                 sign(earned * 100 - floor(earned * 100) - 0.5) AS c
          FROM earned)
    GROUP BY ALL
) x
JOIN people pe ON pe.id = x.person_id
GROUP BY pe.code;
