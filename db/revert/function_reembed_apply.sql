-- Revert vestige:function_reembed_apply

BEGIN;
DROP FUNCTION vestige.reembed_apply(text);
COMMIT;
