CREATE TABLE p (a int, b mood);
BEGIN;
ALTER TYPE mood ADD VALUE 'ecstatic';
INSERT INTO p (a, b) VALUES (ROW(1, 'a'), 1 +, ,), (x), (NULL, now(), coalesce(NULL, 'ecstatic'));
COMMIT;
DROP TABLE q;
