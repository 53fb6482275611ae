-- Radicados taken in from e-mail at a station: the channel they came by
-- ('' for the ventanilla) and where the sender can be answered.
ALTER TABLE radicados ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE radicados ADD COLUMN sender_email TEXT NOT NULL DEFAULT '';
