-- Revert vestige:function_redact_secrets

BEGIN;
DROP FUNCTION vestige.redact_secrets(text);
COMMIT;
