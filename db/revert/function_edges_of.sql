-- Revert vestige:function_edges_of

BEGIN;
DROP FUNCTION vestige.edges_of(uuid, text, text);
COMMIT;
