-- Verify vestige:function_list_domains

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.list_domains()', 'EXECUTE')::int;
ROLLBACK;
