-- Verify vestige:function_check_owner

BEGIN;
SELECT 'vestige.check_owner(uuid)'::regprocedure;
ROLLBACK;
