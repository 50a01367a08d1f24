-- Revert vestige:function_ingest

BEGIN;
DROP FUNCTION vestige.ingest(text, text, text[], text, jsonb, public.vector, text, text, text, uuid[], boolean, boolean);
COMMIT;
