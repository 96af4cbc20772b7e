INSERT INTO t (id, v, u, n) VALUES (0, 'v', gen_random_uuid(), '1.5'::numeric(10, 2)),
(1, NULL, s.f(1, 'a'), '{}'::text[]), (2, DEFAULT, coalesce(NULL, 1), '1'::timestamp(3) with time zone),
(3, -1, x, (SELECT 1)), (4, TRUE, $1, ARRAY[1]);
ALTER TABLE t RENAME a TO b;
