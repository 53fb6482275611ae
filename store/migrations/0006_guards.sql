-- The guards (triggers that keep the record) are defined in the program
-- (guards.go) and made when a data folder opens; they now also keep a
-- radicado's type, sender, subject, department and due date. The old ones
-- go, to be made again from that one definition.
DROP TRIGGER IF EXISTS radicados_no_delete;
DROP TRIGGER IF EXISTS radicados_only_annul;
DROP TRIGGER IF EXISTS files_no_delete;
DROP TRIGGER IF EXISTS files_no_update;
DROP TRIGGER IF EXISTS audit_no_delete;
DROP TRIGGER IF EXISTS audit_no_update;
DROP TRIGGER IF EXISTS outbox_no_delete;
DROP TRIGGER IF EXISTS print_jobs_no_delete;
DROP TRIGGER IF EXISTS radicados_no_replace;
DROP TRIGGER IF EXISTS files_no_replace;
DROP TRIGGER IF EXISTS audit_no_replace;
DROP TRIGGER IF EXISTS outbox_no_replace;
