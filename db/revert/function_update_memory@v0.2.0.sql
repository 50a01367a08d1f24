-- Revert vestige:function_update_memory

BEGIN;
DROP FUNCTION vestige.update_memory(uuid, text, text, text[], text, jsonb, public.vector, text, text[], jsonb, text, timestamptz, timestamptz, boolean, uuid);
COMMIT;
