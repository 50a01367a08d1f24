-- Revert vestige:function_neighbors

BEGIN;
DROP FUNCTION vestige.neighbors(uuid, integer, text[], double precision, integer);
COMMIT;
