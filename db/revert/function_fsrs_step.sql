-- Revert vestige:function_fsrs_step

BEGIN;
DROP FUNCTION vestige.fsrs_step(text, integer, double precision, double precision, integer, integer, timestamptz, integer, timestamptz);
DROP FUNCTION vestige.fsrs_parameters();
COMMIT;
