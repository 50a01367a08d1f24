-- Revert vestige:function_fsrs_retrievability

BEGIN;
DROP FUNCTION vestige.fsrs_retrievability(double precision, double precision, double precision);
COMMIT;
