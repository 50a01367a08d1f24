-- Revert vestige:function_share_memory

BEGIN;
DROP FUNCTION vestige.share_memory(uuid, text, uuid[]);
COMMIT;
