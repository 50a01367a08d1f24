-- Revert vestige:function_set_intention

BEGIN;
DROP FUNCTION vestige.set_intention(text, text, jsonb, integer, timestamptz, text[], uuid[]);
DROP FUNCTION vestige.check_intention_trigger(text, jsonb, timestamptz);
COMMIT;
