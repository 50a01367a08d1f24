-- Verify vestige:function_retention_now

BEGIN;
SELECT 1 / (abs(vestige.retention_now(1, 10, now(), 5, now()) - 1.0) < 1e-12)::int;
ROLLBACK;
