-- accounts exists and takes writes by now: this index build blocks them.
CREATE INDEX accounts_created_at_idx ON accounts (created_at);
