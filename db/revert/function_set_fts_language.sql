-- Revert vestige:function_set_fts_language

BEGIN;
DROP FUNCTION vestige.set_fts_language(regconfig);
COMMIT;
