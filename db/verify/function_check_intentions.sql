-- Verify vestige:function_check_intentions

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.check_intentions(text, timestamptz)', 'EXECUTE')::int;
ROLLBACK;
