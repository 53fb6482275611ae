-- PostgreSQL's consecutive became BIGINT; SQLite's INTEGER holds 64 bits
-- already. Nothing to do but keep the versions of both in step.
SELECT 1;
