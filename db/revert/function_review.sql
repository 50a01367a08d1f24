-- Revert vestige:function_review (back to the v0.2.0 version)
-- Apply one FSRS-6 review to a memory the caller owns: update its scheduling row through
-- vestige.fsrs_step and append the review to vestige.review_events.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only the owner's scheduling changes and the append-only log cannot be forged.
CREATE OR REPLACE FUNCTION vestige.review(
    p_memory_id   uuid,
    p_rating      integer,
    p_reviewed_at timestamptz DEFAULT now()
)
RETURNS TABLE (
    memory_id      uuid,
    stability      double precision,
    difficulty     double precision,
    retrievability double precision,
    state          text,
    step           integer,
    reps           integer,
    lapses         integer,
    last_review    timestamptz,
    next_review    timestamptz
)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_prior vestige.scheduling;
    v_new   vestige.scheduling;
BEGIN
    IF p_rating IS NULL OR p_rating NOT BETWEEN 1 AND 4 THEN
        RAISE EXCEPTION 'rating must be 1 (again), 2 (hard), 3 (good) or 4 (easy), not %', coalesce(p_rating::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Pass p_rating between 1 and 4.';
    END IF;
    IF p_reviewed_at IS NULL THEN
        RAISE EXCEPTION 'review time is NULL'
            USING ERRCODE = 'VS006', HINT = 'Leave p_reviewed_at out to review now.';
    END IF;
    PERFORM vestige.check_owner(p_memory_id);

    SELECT * INTO v_prior FROM vestige.scheduling AS s WHERE s.memory_id = p_memory_id FOR UPDATE;
    IF NOT FOUND THEN
        -- a memory stored without the API has no scheduling row yet: it is new
        INSERT INTO vestige.scheduling AS s (memory_id) VALUES (p_memory_id) RETURNING s.* INTO v_prior;
    END IF;
    IF p_reviewed_at < v_prior.last_review THEN
        RAISE EXCEPTION 'review time % is before the last review of memory % (%)', p_reviewed_at, p_memory_id, v_prior.last_review
            USING ERRCODE = 'VS006', HINT = 'Reviews are applied in time order; pass a p_reviewed_at at or after the last review.';
    END IF;

    UPDATE vestige.scheduling AS s
       SET (stability, difficulty, retrievability, state, step, reps, lapses, last_review, next_review) =
           (SELECT f.stability, f.difficulty, f.retrievability, f.state, f.step, f.reps, f.lapses,
                   f.last_review, f.next_review
              FROM vestige.fsrs_step(
                       p_state => v_prior.state, p_step => v_prior.step,
                       p_stability => v_prior.stability, p_difficulty => v_prior.difficulty,
                       p_reps => v_prior.reps, p_lapses => v_prior.lapses,
                       p_last_review => v_prior.last_review,
                       p_rating => p_rating, p_reviewed_at => p_reviewed_at) AS f)
     WHERE s.memory_id = p_memory_id
    RETURNING s.* INTO v_new;

    INSERT INTO vestige.review_events (memory_id, reviewed_at, rating, prior_state, new_state)
    VALUES (p_memory_id, p_reviewed_at, p_rating, to_jsonb(v_prior), to_jsonb(v_new));

    RETURN QUERY SELECT v_new.memory_id, v_new.stability, v_new.difficulty, v_new.retrievability,
                        v_new.state, v_new.step, v_new.reps, v_new.lapses, v_new.last_review,
                        v_new.next_review;
END
$$;

COMMENT ON FUNCTION vestige.review(uuid, integer, timestamptz) IS
'Review a memory the caller owns with rating 1 (again), 2 (hard), 3 (good) or 4 (easy) at p_reviewed_at (default now), and return its new scheduling row. Applies FSRS-6 exactly as py-fsrs 6.3.2 with its 21 default weights, desired retention 0.9, maximum interval 36500 days, fuzzing off and its default short-term steps ON (learning 1 min then 10 min, relearning 10 min; step holds the index): new goes to learning (again, hard, good) or review (easy), review goes to relearning on again (lapses + 1), learning and relearning graduate to review. Appends a review_events row with the scheduling row before and after as jsonb. Reviewing someone else''s shared memory changes nothing. Errors: VS006 rating outside 1-4, review time NULL or before the last review; VS008 memory not found or not visible; VS009 not the owner.';

GRANT EXECUTE ON FUNCTION vestige.review(uuid, integer, timestamptz) TO vestige_app;

COMMIT;
