CREATE TABLE p (a int, b mood, c timestamptz);
BEGIN;
ALTER TYPE mood ADD VALUE 'ecstatic';
INSERT INTO p (a, b, c) VALUES (1, 'happy', now()), (2, 'ecstatic'::mood, '2020-01-01'::timestamptz),
(3, E'sad', CURRENT_TIMESTAMP), (4, lower('X'), DATE '2020-01-01');
COMMIT;
DROP TABLE q;
