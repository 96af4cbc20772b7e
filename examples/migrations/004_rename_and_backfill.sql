BEGIN;
-- Breaks every running client that still selects display_name.
ALTER TABLE accounts RENAME COLUMN display_name TO full_name;
ALTER TABLE accounts ADD COLUMN plan text;
-- One statement for the whole table, while the ALTERs above hold ACCESS EXCLUSIVE.
UPDATE accounts SET plan = 'free';
COMMIT;
