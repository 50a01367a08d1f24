-- Verify vestige:function_ingest

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app',
    'vestige.ingest(text, text, text[], text, jsonb, public.vector, text, text, text, uuid[], boolean, boolean, uuid, timestamptz, timestamptz, public.vector)', 'EXECUTE')::int;
ROLLBACK;
