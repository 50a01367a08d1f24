-- Verify vestige:function_register_model

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.register_model(text, integer, text)', 'EXECUTE')::int;
ROLLBACK;
