-- Revert vestige:function_remove_edge

BEGIN;
DROP FUNCTION vestige.remove_edge(uuid, uuid, text);
COMMIT;
