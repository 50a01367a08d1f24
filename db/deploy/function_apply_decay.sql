-- Deploy vestige:function_apply_decay
-- Maintenance: persist the read-time retention of the caller's own memories, and the FSRS
-- retrievability of those already reviewed, as of p_at. Nothing depends on it for
-- correctness: every read computes vestige.retention_now itself.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only the caller's own rows change, whatever the table grants.
CREATE FUNCTION vestige.apply_decay(p_at timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user    uuid   := vestige.current_user_id();
    v_groups  uuid[] := vestige.current_user_groups();
    v_changed integer;
BEGIN
    IF p_at IS NULL THEN
        RAISE EXCEPTION 'p_at is NULL'
            USING ERRCODE = 'VS006', HINT = 'Pass a timestamp, or leave p_at out for now().';
    END IF;

    WITH own AS (
        SELECT n.id,
               least(greatest(vestige.retention_now(n.retrieval_strength, n.storage_strength,
                                                    n.last_accessed, s.stability, p_at), 0.0), 1.0) AS retention,
               CASE WHEN s.last_review IS NOT NULL AND s.stability IS NOT NULL THEN
                   least(greatest(vestige.fsrs_retrievability(
                       extract(epoch FROM p_at - s.last_review)::double precision / 86400.0, s.stability), 0.0), 1.0)
               END AS retrievability
          FROM vestige.knowledge_nodes AS n
          LEFT JOIN vestige.scheduling AS s ON s.memory_id = n.id
         WHERE n.owner_user_id = v_user
           AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups)
         ORDER BY n.id
           FOR NO KEY UPDATE OF n
    ), nodes AS (
        UPDATE vestige.knowledge_nodes AS n
           SET retention_strength = own.retention
          FROM own
         WHERE n.id = own.id
           AND n.retention_strength IS DISTINCT FROM own.retention
        RETURNING n.id
    ), sched AS (
        UPDATE vestige.scheduling AS s
           SET retrievability = own.retrievability
          FROM own
         WHERE s.memory_id = own.id
           AND own.retrievability IS NOT NULL
           AND s.retrievability IS DISTINCT FROM own.retrievability
        RETURNING s.memory_id AS id
    )
    SELECT count(DISTINCT changed.id) INTO v_changed
      FROM (SELECT nodes.id FROM nodes UNION ALL SELECT sched.id FROM sched) AS changed;

    RETURN v_changed;
END
$$;

COMMENT ON FUNCTION vestige.apply_decay(timestamptz) IS
'Persist decay for the caller''s own memories (maintenance) and return how many memories changed: retention_strength := vestige.retention_now(...) at p_at, and scheduling.retrievability := the FSRS retrievability since last_review for memories already reviewed. retrieval_strength itself is not decayed: the read-time formula already decays it since the last access, so persisting a decayed value would count the decay twice. Running it again at the same p_at changes nothing. Errors: VS001 no caller identity, VS006 p_at is NULL.';

GRANT EXECUTE ON FUNCTION vestige.apply_decay(timestamptz) TO vestige_app;

COMMIT;
