-- Verify vestige:function_list_intentions

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.list_intentions(text[], integer)', 'EXECUTE')::int;
ROLLBACK;
