-- Revert vestige:function_is_visible

BEGIN;
DROP FUNCTION vestige.is_visible(text, uuid, uuid[], uuid, uuid[]);
COMMIT;
