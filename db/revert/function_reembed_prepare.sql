-- Revert vestige:function_reembed_prepare

BEGIN;
DROP FUNCTION vestige.reembed_prepare(text, integer, text, boolean);
COMMIT;
