-- Verify vestige:function_find_group

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.find_group(text)', 'EXECUTE')::int;
ROLLBACK;
