-- Deploy vestige:function_fsrs_retrievability
-- FSRS-6 power forgetting curve: R(t, S) = (1 + F * t / S) ^ (-w20), F = 0.9 ^ (-1 / w20) - 1,
-- so that R(S, S) = 0.9.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- search_path: none. The SQL-standard body is bound at creation; no SET clause, so it inlines.
CREATE FUNCTION vestige.fsrs_retrievability(
    p_elapsed_days double precision,
    p_stability    double precision,
    p_decay        double precision DEFAULT 0.1542
)
RETURNS double precision
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
RETURN power(1.0 + (power(0.9, -1.0 / p_decay) - 1.0) * greatest(p_elapsed_days, 0.0) / p_stability, -p_decay);

COMMENT ON FUNCTION vestige.fsrs_retrievability(double precision, double precision, double precision) IS
'Return the FSRS-6 probability of recall after p_elapsed_days for stability p_stability (days), with decay w20 (default 0.1542).';

GRANT EXECUTE ON FUNCTION vestige.fsrs_retrievability(double precision, double precision, double precision) TO vestige_app;

COMMIT;
