-- Verify vestige:function_redact_stored

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.redact_stored_memory(uuid, text, public.vector, text)', 'EXECUTE')
        AND NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.redact_stored_intentions()', 'EXECUTE'))::int;
ROLLBACK;
