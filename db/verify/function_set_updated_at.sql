-- Verify vestige:function_set_updated_at

BEGIN;
SELECT 'vestige.set_updated_at()'::regprocedure;
ROLLBACK;
