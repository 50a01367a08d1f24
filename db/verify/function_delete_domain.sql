-- Verify vestige:function_delete_domain

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.delete_domain(text)', 'EXECUTE')::int;
ROLLBACK;
