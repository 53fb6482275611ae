-- The numbers of this organisation an incoming letter cites (read in its
-- text or from our sticker's barcode, confirmed by the clerk), one per
-- line; cited indexes them by the number cited, so that a salida finds the
-- letters that answer it.
ALTER TABLE radicados ADD COLUMN cites TEXT NOT NULL DEFAULT '';
CREATE TABLE cited (
	number TEXT NOT NULL,
	citing TEXT NOT NULL,
	PRIMARY KEY (number, citing)
);
