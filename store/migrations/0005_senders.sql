-- Senders are suggested as the clerk types a name: look them up by the
-- start of the name, whatever the case.
CREATE INDEX radicados_sender ON radicados (sender_name COLLATE NOCASE, received_ns);
