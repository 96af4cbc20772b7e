-- A batch the deploy script repeats until it updates no row: bounded by a key range.
UPDATE accounts SET plan = 'free'
WHERE id >= 1 AND id < 10001 AND plan IS NULL;
