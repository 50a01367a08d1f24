-- Revert vestige:function_upsert_domain

BEGIN;
DROP FUNCTION vestige.upsert_domain(text, text, public.vector, text, text[], integer, jsonb);
COMMIT;
