-- Reviewed: no release since 2.4 reads this column.
SET lock_timeout = '2s';
SET statement_timeout = '1min';
-- miglint-ignore ban-drop-column -- unused since release 2.4, approved in review #142
ALTER TABLE accounts DROP COLUMN created_at;
DROP TABLE legacy_sessions;
