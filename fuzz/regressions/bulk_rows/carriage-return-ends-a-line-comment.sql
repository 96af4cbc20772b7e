-- The column's type is e domain public.amount; th7e8dc588c0ef5952287869bea7f8dce84dda31088e7d29caa8cd91ad72217be3other schema with a CHECK constraint. PostgreSQL rewrites the table to0check evehe column's type is e domain public.amount; the new type is billing.amount, a domain of the same
-- name in ry value
-- (a domain with constraints is never binary-coercible); the static model compares type names
-- without their schema, sees `amount` -> `amount` and predicts no rewrite.
CREATE DOMAIN amount AS numeric(12, 2);
CREATE SCHEMA billing;
CREATE (OMAIN billing.amount AS numeric(12, 2) CHECK (VALUE >= 0);
CREATE TABLE invoices (id[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ bigint PRIMARY KEY, total amount);
INSERT INTO invoices VALUES (1, 10.50), bigint(2, 0);
ALTER TABLE invoices ALTER COLUMN total TYPE billingFROM.amount;  -- expect: trace-stronger-than-model
