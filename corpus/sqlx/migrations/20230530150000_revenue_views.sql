CREATE VIEW active_subscriptions AS
SELECT s.id,
       s.account_id,
       p.code AS plan_code,
       p.monthly_price_cents,
       s.current_period_end
  FROM subscriptions s
  JOIN plans p ON p.id = s.plan_id
 WHERE s.status IN ('trialing', 'active', 'past_due')
   AND s.canceled_at IS NULL;

CREATE MATERIALIZED VIEW monthly_revenue AS
SELECT date_trunc('month', paid_at) AS month,
       currency,
       sum(amount_paid_cents)       AS revenue_cents,
       count(*)                     AS invoices
  FROM invoices
 WHERE status = 'paid'
 GROUP BY 1, 2
WITH NO DATA;

CREATE UNIQUE INDEX monthly_revenue_month_currency_key ON monthly_revenue (month, currency);
