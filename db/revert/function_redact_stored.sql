-- Revert vestige:function_redact_stored

BEGIN;
DROP FUNCTION vestige.redact_stored_intentions();
DROP FUNCTION vestige.redact_stored_memory(uuid, text, public.vector, text);
COMMIT;
