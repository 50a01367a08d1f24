-- Revert vestige:function_content_limit

BEGIN;
DROP FUNCTION vestige.content_limit();
COMMIT;
