-- Revert vestige:function_add_edge

BEGIN;
DROP FUNCTION vestige.add_edge(uuid, uuid, text, double precision);
COMMIT;
