-- Verify vestige:function_check_search

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.check_search(text, integer)', 'EXECUTE')::int;
SELECT vestige.check_search('backups', 10);
ROLLBACK;
