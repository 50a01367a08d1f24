-- Revert vestige:function_retention_now

BEGIN;
DROP FUNCTION vestige.retention_now(double precision, double precision, timestamptz, double precision, timestamptz);
COMMIT;
