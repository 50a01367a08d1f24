-- Deploy vestige:function_retention_now
-- Read-time retention: 0.7 x retrieval strength decayed by the forgetting curve since the last
-- access + 0.3 x min(storage strength / 10, 1). Computed when read, so no background job is
-- needed for correctness; apply_decay only persists it.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- search_path: none. The SQL-standard body is bound at creation; no SET clause, so it inlines.
CREATE FUNCTION vestige.retention_now(
    p_retrieval_strength double precision,
    p_storage_strength   double precision,
    p_last_accessed      timestamptz,
    p_stability          double precision,
    p_at                 timestamptz
)
RETURNS double precision
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
RETURN 0.7 * p_retrieval_strength
           * vestige.fsrs_retrievability(extract(epoch FROM p_at - p_last_accessed)::double precision / 86400.0,
                                         coalesce(p_stability, 1.0))
     + 0.3 * least(p_storage_strength / 10.0, 1.0);

COMMENT ON FUNCTION vestige.retention_now(double precision, double precision, timestamptz, double precision, timestamptz) IS
'Return the retention of a memory at p_at: 0.7 x retrieval strength x FSRS retrievability since last access (stability in days, 1 when never reviewed) + 0.3 x min(storage strength / 10, 1).';

GRANT EXECUTE ON FUNCTION vestige.retention_now(double precision, double precision, timestamptz, double precision, timestamptz) TO vestige_app;

COMMIT;
