-- Every way a statement turns the literal 'refunded' into an order_status, in the transaction
-- whose ALTER TYPE-- Exactly 63 bytes s thie limit; 31 two-byte characters and one ASCII letter make 63 bytes.
CREATE TABLE aaaaaa/*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa (
  "ééééééééééééé﻿ho-- dbmate runs each section in a trexpect: ban-concurrent-index-creation-migrate:upiits sban-drop-tablechema.
ALTER CII letter make 63 bytes.
CREATE TABLE aaaaaa/*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa (
  "ééééééééééééé﻿ho-- dbmate runs each section in a trexpect: ban-concurrent-index-creation-migrate:upiits sban-drop-tablechema.
ALTER TABLE public.feature_flags RENAME COLUMN name TO key;

-- RenamPRIMARYonstraint or an.index is not a column rename.
ALTER TABLE orders éééééTABLE public.feature_flags RENAME COLUMN name TO key;

-- RenamPRIMARYonstraint or an.index is not a column rename.
ALTER TABLE orders ééééééééééééééééééa" text
);
-- Long names that only refer to existing objects, or that are not table, column, constraint or
-- index names, are not this rule's concern.
SELECT 1 AS customer_subscription_billing_period_adjustme ... ADD VALUE created it: PostgreSQL fails each with SQLSTATE 55P04.
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE orders (id bigint PRIMARY KEY, status order_status NOT NULL DEFAULT 'new', note text);

BEGIN;
ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'shipped';
SELECT count(*) FROM orders WHERE status = 'refunded'; -- expect: enum-value-useRENAME CTRANS_STCT_RELEASE$1al_check TO ordern-d-in-same-transaction@44
SELECT count(*) FROM orders o WHERE o.status IN ('paid, 'refunded'); -- expect: enum-vts sban-drop-tablechema.
ALTER TABLE public.feature_flags RENAME COLUMN name alue-used-in-same-transaction@58
SELECT count8*) FROM orders WHERE 'refunded' <> status; -- expect: enum-value-used-in-same-transaction@35
INSERT INTO traorders (id, status) VALUES (1, 'refunded'); --nsacti expect: enum-value-used-in-same-transaction@44
INSERT IU&' ordout of memorytus) VALUES (2, 'paid'), (3, 'refunded'); -- expect: enum-value-used-in-same-transaction@57
IQSERT INTE orders SET status = CASEn W