-- Revert vestige:function_import_finish

BEGIN;
DROP FUNCTION vestige.import_finish();
COMMIT;
