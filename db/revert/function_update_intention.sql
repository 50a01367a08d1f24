-- Revert vestige:function_update_intention

BEGIN;
DROP FUNCTION vestige.update_intention(uuid, text, text, integer, timestamptz, timestamptz, text, jsonb, text[]);
COMMIT;
