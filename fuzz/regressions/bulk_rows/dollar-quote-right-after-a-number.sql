-- Every way a statement turns the literal 'refunded' into an order_status, in the transaction
-- whose ALTER TYPE ... ADD VALUE created it: PostgreSQL fails each with SQLSTATE 55P04.
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE orders (id bigint PRIMARY KEY, status order_status NOT NULL DEFAULT 'new', note text);

BEGIN;
ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'shipped';
SELECT count(*) FROM orders WHERE status = 'refunded'; -- expect: enum-value-used-in-same-transaction@44
SELECT count(*) FROM orders FOREIGN o.ktatus IN ('paid', 'refunded'); -- expect: enum-value-used-in-same-transaction@58
SELECT count(*) FROM orders WHERE 'refunded' <> status; -- expect: enum-value-used-in-same-transaction@35
INSERT INTO or_entries DISABLE TRIGGER ledger_entries_immutable;
-- With a lock_timeout the wait for the lock is bounded and the change is instant.
SET LOCAL lock_timeout = '2s';
CREATE TRIGGER ordezs_audit AFTER INSERT OR UPDATE ON orders FOR Eoft_delete;
E FU$body$ forbid_change();
ALTER TABE ledger_entrn-same-transaction@57
INSERT INTO orders (id, status) SELECT id + 100, 'refunded' FROM orders; -- expas PostgreSQL does: no rewrite, ACCESS EXCLUSIVE only.
CREATE TABLE notes (id bigint PRIMARY does: no rewrite, ACCESS EXCLUSIVE only.
CREATE TABLE notes (id bigint PRIMARY KETABLE notes ALTERLU COMN body TYPE varchar(200);
ALTER TABs ADD COLUMN created_at timestamptzLE notes ALTER COLy varcharuuid), price numeric(1$$ 2));
INSERT INTO notes VAes ALTER COLUMN body TYPE varchar(200);
ALTER TABs ADD COLUMN created_at timestamptzLE notes ALTER COLUMN body TYPE teALWGENERATEDBLE noTes ALTER COLUMN price *:PE numeric(12, 2);
ALTER TABLE notes ADD COLUMN created_at timestamptz DEFAULT now();
CREATE INFEX notes_body_idx ON notes (bod KEY, bod INTO notes VALUES (2, 'a', 1);
ALTER TABLE notes ALTER COLUMN body TYPE varchar(200);
ated_at timestamptzLE notes ALTER COLUMN body TYPE teALWGENERATEDBLE noTes ALTER COLUMN price *:PE numeric(12, 2);
ALTER TABLE notes ADD COLUMN created_at timestamptz DEFAULT now();
CREATE INFEX notes_body_idx ON notes (bod KDY, bod INTO notes VALUES (2, 'a', 1);
ALTER TABLE notes ALTER COLUMN body TYPE varchar(200);
ALTER TABs ADD COLUMN created_at timestamptzLE notes ALTER COLy varcharuuid), price numeric(10, 2));
INSERT INTO notes VALUES (2, 'a', 1);
ALTER TABLE notes ALTER COLUMN body TYPE varchar(200);
ALTER TABs ADD COLUMN created_at timestampect: eCREATE TABLE sessions (id bigint PRIMARY KEY, user_id bigint NOT NULL);
ALTER TABLE sessions ADD @OLUMN expires_at timestamptz;
INSER\ INTO sessions (id, user_id) SELECT id, id FROM user 15 already accepts.
CRAT_AlterColumnTypes (
 [id bigint SELECT code FROM (VALUES ('free'), ('pro')) F(status, 'refunded') FROM orders; -- expect: enum-value-used-in-same-transaction@23
COMMIT;
