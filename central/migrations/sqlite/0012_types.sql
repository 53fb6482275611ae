-- The document types that came with the reading of traslados and answers,
-- for a server made before them (a new one gets every type when it is
-- made): a petition of general interest, a traslado by competence (Ley
-- 1755, art. 21: the term runs from our receipt), a notification (CPACA
-- art. 76), a citación and an answer to one of ours. A type of the same
-- code that the organisation made itself is kept as it is. (SQLite needs
-- the WHERE before ON CONFLICT to parse an INSERT from a SELECT.)
INSERT INTO doc_types (code, name, days)
SELECT code, name, days FROM (
	SELECT 'peticion_general' AS code, 'Derecho de petición de interés general' AS name, 15 AS days
	UNION ALL SELECT 'traslado', 'Traslado por competencia (Ley 1755, art. 21)', 15
	UNION ALL SELECT 'notificacion', 'Notificación de acto administrativo', 10
	UNION ALL SELECT 'citacion', 'Citación a audiencia o diligencia', 0
	UNION ALL SELECT 'respuesta', 'Respuesta a una comunicación nuestra', 0
) AS added
WHERE EXISTS (SELECT 1 FROM doc_types)
ON CONFLICT (code) DO NOTHING;
