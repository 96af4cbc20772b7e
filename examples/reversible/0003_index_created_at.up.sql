SET lock_timeout = '2s';
CREATE INDEX CONCURRENTLY accounts_created_at_idx ON accounts (created_at);
