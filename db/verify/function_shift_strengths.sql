-- Verify vestige:function_shift_strengths

BEGIN;
SELECT 'vestige.shift_strengths(uuid, double precision, double precision, double precision, boolean)'::regprocedure;
ROLLBACK;
