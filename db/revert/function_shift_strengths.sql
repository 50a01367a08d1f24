-- Revert vestige:function_shift_strengths

BEGIN;
DROP FUNCTION vestige.shift_strengths(uuid, double precision, double precision, double precision, boolean);
COMMIT;
