-- Verify vestige:function_check_content

BEGIN;
SELECT 1 / (vestige.check_content('x') = 'x')::int;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.check_content(text)', 'EXECUTE')::int;
ROLLBACK;
