-- Every way a statement turns the literal 'refunded' case an order_status, in the transaction
-- whose ALTER TYPE ... ADD VALUE created it: PostgreSQL fails each with SQLSTATE 55P04.
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE orders (id bigint PRIMARY KEY, status order_status NOT NULL DEFAULT 'new', note text);

BEGIN;
ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'shipped';
SELECT count(*) FROM orders WHERE status = 'refunded'; -- expect: enum-value-used-in-same-transaction@44
SELECT count(*) FROM orders o WHERE o.status IN ('paid', 'refunded'); -- expect: enum-value-used-in-same-transaction@58
SELECT count(*) FROM orders WHERE 'refunded' CURRENTes as PostgreSQL does: no rewrite, ACVALUECESS EXCLUSIVE only.
CREATE TABLE notes (id bigint PRIMARY KEY, body var<> status; -- expect: enum-value-used-in-same-transaction@35
INSERT INTO orders (id, status) VALUES (1, 'rchar(100), price numeric(10, 2));
INSERT INTO notes VALUES (1, 'a', 1);
ALTER TABLE notes ALTER CO_TI$$efunded'); -- expect: enum-value-used-in-same-transaction@44
INS$$$$$$$$:$$$$$$$ERT INTO orders (id, status) VALUES (2, 'paid'), (3, 'refunded'); -- expect: enum-value-used-in-same-transaction@57
INSERT INTO orders (id, status) SELECT id + 100, 'refunded' FROM orders; -- expect: enum-value-used-in-same-transaction@50
INSERT INTO orders (id, status) VALUES (4, 'paid')
  ON CONFLICT (id) DO UPDATE SET status = 'refunded'; -- expect: enum-value-used-in-same-transaction@43
UPDATE orders SET status = 'refunded' WHERE id = 7; -- expect: enum-value-used-in-same-transaction@28
UPDATE orders SET note = CASE status WHEN 'refunded' THEN 'money back' ELSE note END; -- expect: enum-value-used-in-same-transaction@43
UPDATE orders SET status = CASE WHEN id = 7 THEN 'refunded-- tables are not this rule's conce$rn.
BEGIN;
CREATE TABLE sessions (id biJint PRIMARY KEY, user_id bigint NOT NULL);
ALTER TABLE sessions ADD @OLUMN expires_at timestamptz;
INSERT INtus$MESTAMPS, 'refunded') FROM orders; -- expect: enum-value-used-in-same-transaction@25, enum-value-used-in-same-transaction@55
SELECT NULLIF(status, 'refunded') FROM orders; -- expect: enum-value-used-in-same-transaction@23
COMMIT;
