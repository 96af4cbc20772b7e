SET lock_timeout = '2s';
DROP INDEX CONCURRENTLY accounts_created_at_idx;
