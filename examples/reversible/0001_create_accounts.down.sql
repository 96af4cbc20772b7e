SET lock_timeout = '2s';
SET statement_timeout = '1min';
-- miglint-ignore ban-drop-table -- the way back from 0001: the table is new there
DROP TABLE accounts;
