SET lock_timeout = '2s';
SET statement_timeout = '1min';
-- miglint-ignore ban-drop-column -- the way back from 0002: the column is new there
ALTER TABLE accounts DROP COLUMN plan;
DROP TYPE plan;
