-- Verify vestige:function_fsrs_retrievability

BEGIN;
SELECT 1 / (abs(vestige.fsrs_retrievability(10, 10) - 0.9) < 1e-12)::int;
ROLLBACK;
