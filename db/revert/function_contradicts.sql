-- Revert vestige:function_contradicts

BEGIN;
DROP FUNCTION vestige.contradicts(text, text);
COMMIT;
