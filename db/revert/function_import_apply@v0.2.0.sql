-- Revert vestige:function_import_apply

BEGIN;
DROP FUNCTION vestige.import_apply(uuid, text, boolean);
COMMIT;
