SET lock_timeout = '2s';
SET statement_timeout = '1min';
CREATE TYPE plan AS ENUM ('free', 'pro');
ALTER TABLE accounts ADD COLUMN plan plan;
