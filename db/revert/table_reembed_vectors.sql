-- Revert vestige:table_reembed_vectors

BEGIN;
DROP TABLE vestige.reembed_vectors;
COMMIT;
