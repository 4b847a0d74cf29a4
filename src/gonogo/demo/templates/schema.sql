-- The demo application's schema and sample data (run as the `app` role, which owns it all).
CREATE TABLE schema_migrations (
    version    text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id          bigserial PRIMARY KEY,
    sku         text NOT NULL UNIQUE,
    name        text NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    active      boolean NOT NULL DEFAULT true
);

CREATE TABLE orders (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    status      text NOT NULL DEFAULT 'placed',
    total_cents integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
    order_id    bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id  bigint NOT NULL REFERENCES products (id),
    quantity    integer NOT NULL CHECK (quantity > 0),
    price_cents integer NOT NULL,
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE app_users (
    username      text PRIMARY KEY,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_created_at_idx ON orders (created_at);
CREATE INDEX order_items_product_id_idx ON order_items (product_id);

INSERT INTO schema_migrations (version, applied_at) VALUES
    ('20261001_001', now() - interval '52 days'),
    ('20261015_002', now() - interval '38 days'),
    ('20261020_003', now() - interval '33 days'),
    ('20261101_004', now() - interval '21 days');

INSERT INTO customers (email, name, created_at)
SELECT 'customer' || g || '@example.test', 'Customer ' || g, now() - g * interval '3 hours'
FROM generate_series(1, 500) AS g;

INSERT INTO products (sku, name, price_cents)
SELECT 'SKU-' || lpad(g::text, 4, '0'),
       (ARRAY['Widget', 'Gadget', 'Gizmo', 'Sprocket', 'Doohickey'])[1 + g % 5] || ' ' || g,
       199 + (g * 137) % 9800
FROM generate_series(1, 40) AS g;
