-- Revert vestige:function_import_begin

BEGIN;
DROP FUNCTION vestige.import_begin();
COMMIT;
