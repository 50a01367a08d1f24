-- Revert vestige:function_review

BEGIN;
DROP FUNCTION vestige.review(uuid, integer, timestamptz);
COMMIT;
