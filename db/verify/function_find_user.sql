-- Verify vestige:function_find_user

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.find_user(text)', 'EXECUTE')::int;
SELECT 1 / (vestige.find_user('local') = '00000000-0000-0000-0000-000000000001')::int;
ROLLBACK;
