-- The numbers of the organisation a radicado cites (an answer to our
-- salida cites it), one per line as the station sent them; cited indexes
-- them by the number cited, so that a salida's page finds the letters that
-- answer it.
ALTER TABLE radicados ADD COLUMN cites TEXT NOT NULL DEFAULT '';
CREATE TABLE cited (
	number TEXT NOT NULL,
	citing TEXT NOT NULL,
	PRIMARY KEY (number, citing)
);
