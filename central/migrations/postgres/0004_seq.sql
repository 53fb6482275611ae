-- A pattern may give the consecutive up to 12 digits: more than INTEGER
-- holds on PostgreSQL (SQLite's INTEGER holds 64 bits already).
ALTER TABLE radicados ALTER COLUMN seq TYPE BIGINT;
