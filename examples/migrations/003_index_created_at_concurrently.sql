-- miglint-no-transaction
-- The safe way: CONCURRENTLY, in a migration that runs outside a transaction.
SET lock_timeout = '2s';
CREATE INDEX CONCURRENTLY accounts_display_name_idx ON accounts (display_name);
