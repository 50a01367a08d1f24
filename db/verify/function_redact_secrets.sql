-- Verify vestige:function_redact_secrets

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.redact_secrets(text)', 'EXECUTE')::int;
ROLLBACK;
