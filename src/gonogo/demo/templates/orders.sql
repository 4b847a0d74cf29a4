-- A batch of orders (a "day of activity"); %(count)s orders with two line items each.
WITH new_orders AS (
    INSERT INTO orders (customer_id, status, created_at)
    SELECT 1 + (g * 7919) %% 500,
           (ARRAY['placed', 'paid', 'shipped', 'delivered'])[1 + g %% 4],
           now() - (%(count)s - g) * interval '1 minute'
    FROM generate_series(1, %(count)s) AS g
    RETURNING id
)
INSERT INTO order_items (order_id, product_id, quantity, price_cents)
SELECT o.id, p.id, 1 + (o.id + k) %% 3, p.price_cents
FROM new_orders AS o
CROSS JOIN generate_series(1, 2) AS k
JOIN products AS p ON p.id = 1 + (o.id * k * 31) %% 40
ON CONFLICT DO NOTHING;

UPDATE orders AS o SET total_cents = s.total
FROM (SELECT order_id, sum(quantity * price_cents) AS total FROM order_items GROUP BY order_id) AS s
WHERE s.order_id = o.id AND o.total_cents = 0;
