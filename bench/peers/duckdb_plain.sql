-- Attain's full-year pay for the generated company, as an analyst would first write it in
-- DuckDB: the workspace's tables as they are (text ids, dates, exact decimals), one query that
-- follows the rules transaction by transaction (credit, roll-up walked recursively per
-- transaction, plan holding, FX), then the year-to-date marginal tiers and the monthly lines.
-- Money is DECIMAL throughout; rounding is half-even, written out (DuckDB's round() rounds
-- half away from zero). run_peer.py creates plan_kinds and plan_tiers from plans/*.toml.

-- @load
CREATE TABLE company AS SELECT * FROM read_csv('${DIR}/company.csv', header = true, all_varchar = true);
CREATE TABLE people AS
SELECT id, CAST(hire_date AS DATE) AS hire_date, CAST(termination_date AS DATE) AS termination_date
FROM read_csv('${DIR}/people.csv', header = true, all_varchar = true);
CREATE TABLE positions AS
SELECT id, CAST(valid_from AS DATE) AS valid_from, CAST(valid_to AS DATE) AS valid_to, reports_to
FROM read_csv('${DIR}/positions.csv', header = true, all_varchar = true);
CREATE TABLE assignments AS
SELECT person_id, position_id, CAST(valid_from AS DATE) AS valid_from, CAST(valid_to AS DATE) AS valid_to
FROM read_csv('${DIR}/assignments.csv', header = true, all_varchar = true);
CREATE TABLE territory_owners AS
SELECT territory_id, position_id, CAST(valid_from AS DATE) AS valid_from, CAST(valid_to AS DATE) AS valid_to
FROM read_csv('${DIR}/territory_owners.csv', header = true, all_varchar = true);
CREATE TABLE accounts AS
SELECT id, territory_id FROM read_csv('${DIR}/accounts.csv', header = true, all_varchar = true);
CREATE TABLE opportunities AS
SELECT id, account_id FROM read_csv('${DIR}/opportunities.csv', header = true, all_varchar = true);
CREATE TABLE credit_splits AS
SELECT opportunity_id, person_id, role, CAST(percent AS DECIMAL(9, 4)) AS percent
FROM read_csv('${DIR}/credit_splits.csv', header = true, all_varchar = true);
CREATE TABLE fx_rates AS
SELECT from_currency, to_currency, CAST(rate AS DECIMAL(18, 8)) AS rate,
       CAST(valid_from AS DATE) AS valid_from, CAST(valid_to AS DATE) AS valid_to
FROM read_csv('${DIR}/fx_rates.csv', header = true, all_varchar = true);
CREATE TABLE plan_assignments AS
SELECT position_id, plan_id, CAST(valid_from AS DATE) AS valid_from, CAST(valid_to AS DATE) AS valid_to
FROM read_csv('${DIR}/plan_assignments.csv', header = true, all_varchar = true);
-- Amounts are minor units in the Parquet file; as money: cents × 0.01 (exact, DECIMAL).
CREATE TABLE transactions AS
SELECT id, date, kind, account_id, currency, CAST(CAST(amount AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(18, 2)) AS amount,
       opportunity_id, original_id
FROM read_parquet('${TRANSACTIONS}');

-- @compute
CREATE OR REPLACE TABLE payouts AS
WITH RECURSIVE
year AS (SELECT DATE '${YEAR}-01-01' AS first, DATE '${YEAR}-01-01' + INTERVAL 1 YEAR AS next),
-- Transactions that count on the booking basis: bookings, and cancellations of bookings; the
-- opportunity and account fall back to the original's, the account then to the opportunity's.
counted AS (
    SELECT t.id, t.date, t.currency, t.amount,
           coalesce(t.opportunity_id, o.opportunity_id) AS opportunity_id,
           coalesce(t.account_id, o.account_id, op.account_id) AS account_id
    FROM transactions t
    LEFT JOIN transactions o ON o.id = t.original_id
    LEFT JOIN opportunities op ON op.id = coalesce(t.opportunity_id, o.opportunity_id)
    CROSS JOIN year
    WHERE (t.kind = 'booking' OR (t.kind = 'cancellation' AND o.kind = 'booking'))
      AND t.date >= year.first AND t.date < year.next
),
primary_splits AS (
    SELECT s.opportunity_id, s.person_id, s.percent * 0.01 AS share
    FROM credit_splits s JOIN people p ON p.id = s.person_id
    WHERE s.role = 'primary'
),
-- Primary credit: the opportunity's primary splits, else the holder of the position owning the
-- account's territory on the day.
direct AS (
    SELECT c.id, c.date, c.currency, c.amount, s.person_id, s.share
    FROM counted c JOIN primary_splits s ON s.opportunity_id = c.opportunity_id
    UNION ALL
    SELECT c.id, c.date, c.currency, c.amount, a.person_id, 1 AS share
    FROM counted c
    JOIN accounts ac ON ac.id = c.account_id
    JOIN territory_owners tw ON tw.territory_id = ac.territory_id
         AND c.date >= tw.valid_from AND (tw.valid_to IS NULL OR c.date < tw.valid_to)
    JOIN assignments a ON a.position_id = tw.position_id
         AND c.date >= a.valid_from AND (a.valid_to IS NULL OR c.date < a.valid_to)
    JOIN people p ON p.id = a.person_id
    WHERE NOT EXISTS (SELECT 1 FROM primary_splits s WHERE s.opportunity_id = c.opportunity_id)
),
overlay AS (
    SELECT c.id, c.date, c.currency, c.amount, s.person_id, s.percent * 0.01 AS share
    FROM counted c
    JOIN credit_splits s ON s.opportunity_id = c.opportunity_id AND s.role = 'overlay'
    JOIN people p ON p.id = s.person_id
),
-- Roll-up: from each primary payee's position on the day, up the reporting line as it stood
-- that day; every position above gets the shares below it, summed once per transaction.
walk(id, date, currency, amount, position_id, share, depth) AS (
    SELECT d.id, d.date, d.currency, d.amount, pv.reports_to, d.share, 1
    FROM direct d
    JOIN assignments a ON a.person_id = d.person_id
         AND d.date >= a.valid_from AND (a.valid_to IS NULL OR d.date < a.valid_to)
    JOIN positions pv ON pv.id = a.position_id
         AND d.date >= pv.valid_from AND (pv.valid_to IS NULL OR d.date < pv.valid_to)
    WHERE pv.reports_to IS NOT NULL
    UNION ALL
    SELECT w.id, w.date, w.currency, w.amount, pv.reports_to, w.share, w.depth + 1
    FROM walk w
    JOIN positions pv ON pv.id = w.position_id
         AND w.date >= pv.valid_from AND (pv.valid_to IS NULL OR w.date < pv.valid_to)
    WHERE pv.reports_to IS NOT NULL AND w.depth < 64
),
rollup AS (
    SELECT w.id, w.date, w.currency, w.amount, a.person_id, sum(w.share) AS share
    FROM walk w
    JOIN assignments a ON a.position_id = w.position_id
         AND w.date >= a.valid_from AND (a.valid_to IS NULL OR w.date < a.valid_to)
    JOIN people p ON p.id = a.person_id
    GROUP BY ALL
),
credits AS (
    -- DECIMAL(38, …) so the products below are computed wide (a DECIMAL(18) product overflows).
    SELECT person_id, 'direct' AS kind, date, currency, CAST(amount AS DECIMAL(38, 2)) * share AS value FROM direct
    UNION ALL
    SELECT person_id, 'overlay', date, currency, CAST(amount AS DECIMAL(38, 2)) * share FROM overlay
    UNION ALL
    SELECT person_id, 'rollup', date, currency, CAST(amount AS DECIMAL(38, 2)) * share FROM rollup
),
-- Who holds which plan when: employed, assigned, and the position carries the plan.
stretches AS (
    SELECT a.person_id, pa.plan_id,
           greatest(a.valid_from, pa.valid_from, p.hire_date, y.first) AS valid_from,
           least(coalesce(a.valid_to, y.next), coalesce(pa.valid_to, y.next),
                 coalesce(p.termination_date, y.next), y.next) AS valid_to
    FROM assignments a
    JOIN plan_assignments pa ON pa.position_id = a.position_id
    JOIN people p ON p.id = a.person_id
    CROSS JOIN year y
),
held AS (SELECT * FROM stretches WHERE valid_from < valid_to),
-- A credit counts for a plan on a day its person holds that plan, if the plan counts its kind;
-- in the base currency at the rate of the first of its month.
monthly AS (
    SELECT c.person_id, k.plan_id, month(c.date) AS month,
           sum(c.value * CASE WHEN c.currency = co.base_currency THEN 1 ELSE fx.rate END) AS total
    FROM credits c
    JOIN plan_kinds k ON k.kind = c.kind
    CROSS JOIN company co
    LEFT JOIN fx_rates fx ON fx.from_currency = c.currency AND fx.to_currency = co.base_currency
         AND date_trunc('month', c.date) >= fx.valid_from
         AND (fx.valid_to IS NULL OR date_trunc('month', c.date) < fx.valid_to)
    WHERE EXISTS (SELECT 1 FROM held h
                  WHERE h.person_id = c.person_id AND h.plan_id = k.plan_id
                    AND c.date >= h.valid_from AND c.date < h.valid_to)
    GROUP BY ALL
),
-- A statement for every month in which the person holds the plan on some day.
months AS (SELECT range AS month FROM range(1, 13)),
statements AS (
    SELECT DISTINCT h.person_id, h.plan_id, m.month
    FROM held h CROSS JOIN months m CROSS JOIN year y
    WHERE h.valid_from < y.first + to_months(m.month::INTEGER)
      AND h.valid_to > y.first + to_months(m.month::INTEGER - 1)
),
ytd AS (
    SELECT s.person_id, s.plan_id, s.month,
           (SELECT coalesce(sum(mo.total), 0) FROM monthly mo
             WHERE mo.person_id = s.person_id AND mo.plan_id = s.plan_id AND mo.month <= s.month) AS measure
    FROM statements s
),
earned AS (
    SELECT y.person_id, y.plan_id, y.month,
           coalesce(sum(CASE WHEN y.measure <= t.tier_from THEN 0
                             ELSE (least(y.measure, coalesce(t.tier_to, y.measure)) - t.tier_from) * t.rate END), 0)
               AS earned
    FROM ytd y JOIN plan_tiers t ON t.plan_id = y.plan_id
    GROUP BY ALL
),
-- Each month's line: round half-even(earned so far − paid so far), paid so far being the sum
-- of the earlier lines (a month of statements at a time, in order).
numbered AS (
    SELECT *, row_number() OVER (PARTITION BY person_id, plan_id ORDER BY month) AS n FROM earned
),
lines(person_id, plan_id, n, paid) AS (
    SELECT person_id, plan_id, n,
           CAST(floor(earned * 100) + CASE
                WHEN earned * 100 - floor(earned * 100) > 0.5 THEN 1
                WHEN earned * 100 - floor(earned * 100) < 0.5 THEN 0
                WHEN floor(earned * 100) % 2 = 0 THEN 0 ELSE 1 END AS DECIMAL(38, 0)) * 0.01
    FROM numbered WHERE n = 1
    UNION ALL
    SELECT l.person_id, l.plan_id, e.n,
           l.paid + CAST(floor((e.earned - l.paid) * 100) + CASE
                WHEN (e.earned - l.paid) * 100 - floor((e.earned - l.paid) * 100) > 0.5 THEN 1
                WHEN (e.earned - l.paid) * 100 - floor((e.earned - l.paid) * 100) < 0.5 THEN 0
                WHEN floor((e.earned - l.paid) * 100) % 2 = 0 THEN 0 ELSE 1 END AS DECIMAL(38, 0)) * 0.01
    FROM lines l JOIN numbered e ON e.person_id = l.person_id AND e.plan_id = l.plan_id AND e.n = l.n + 1
)
SELECT person_id, sum(paid) AS payout
FROM (SELECT person_id, plan_id, arg_max(paid, n) AS paid FROM lines GROUP BY ALL)
GROUP BY person_id;
