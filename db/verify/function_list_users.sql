-- Verify vestige:function_list_users

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.list_users()', 'EXECUTE')::int;
SELECT 1 / count(*)::int FROM vestige.list_users() WHERE handle = 'local';
ROLLBACK;
