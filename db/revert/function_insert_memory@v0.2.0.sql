-- Revert vestige:function_insert_memory

BEGIN;
DROP FUNCTION vestige.insert_memory(text, text, text[], text, jsonb, public.vector, text, text[], jsonb, text, timestamptz, timestamptz, text, uuid[], boolean, uuid);
COMMIT;
