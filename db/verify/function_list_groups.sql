-- Verify vestige:function_list_groups

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.list_groups()', 'EXECUTE')::int;
ROLLBACK;
