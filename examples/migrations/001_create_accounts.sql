-- A new table and its indexes: nothing to lock yet, so plain CREATE INDEX is fine here.
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    display_name text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX accounts_email_key ON accounts (email);

-- Sessions of the old login service, dropped in 006 once nothing reads them.
CREATE TABLE legacy_sessions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    expires_at timestamptz NOT NULL
);
