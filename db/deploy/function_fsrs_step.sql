-- Deploy vestige:function_fsrs_step
-- The pure FSRS-6 transition for one review, written to match the `fsrs` PyPI package 6.3.2
-- (py-fsrs Scheduler.review_card) with its 21 default parameters, desired retention 0.9,
-- maximum interval 36500 days, its default short-term steps (learning 1 min and 10 min,
-- relearning 10 min) and fuzzing off. The parameters live here, in vestige.fsrs_parameters(),
-- and nowhere else (vestige.fsrs_retrievability's default decay is pinned to w20 by a test).
-- Both functions are private helpers: no EXECUTE for vestige_app.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- The one place for the FSRS-6 parameters. Arrays are 0-based so that w[i] is py-fsrs's
-- parameters[i] and learning_steps[i] its learning_steps[i].
CREATE FUNCTION vestige.fsrs_parameters(
    OUT w                 double precision[],
    OUT desired_retention double precision,
    OUT maximum_interval  integer,
    OUT learning_steps    interval[],
    OUT relearning_steps  interval[]
)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
    SELECT '[0:20]={0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666,
                    0.796, 1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658,
                    0.1542}'::double precision[],
           0.9::double precision,
           36500,
           '[0:1]={"1 minute", "10 minutes"}'::interval[],
           '[0:0]={"10 minutes"}'::interval[];
$$;

COMMENT ON FUNCTION vestige.fsrs_parameters() IS
'Return the FSRS-6 scheduler settings, the defaults of py-fsrs 6.3.2: the 21 weights w[0..20] (0-based), desired retention 0.9, maximum interval 36500 days, learning steps 1 min and 10 min, relearning step 10 min (0-based arrays). Private helper.';

-- Arithmetic follows py-fsrs operation by operation (e ** x as power(e, x), the same
-- association order), so results agree to the last bit on the same libm. Elapsed time counts
-- whole days (floor), as py-fsrs's timedelta.days does. Day intervals are added as seconds,
-- never as calendar days, so the TimeZone setting cannot shift a due date across DST; that is
-- also why IMMUTABLE holds.
CREATE FUNCTION vestige.fsrs_step(
    p_state       text,
    p_step        integer,
    p_stability   double precision,
    p_difficulty  double precision,
    p_reps        integer,
    p_lapses      integer,
    p_last_review timestamptz,
    p_rating      integer,
    p_reviewed_at timestamptz,
    OUT stability      double precision,
    OUT difficulty     double precision,
    OUT retrievability double precision,
    OUT state          text,
    OUT step           integer,
    OUT reps           integer,
    OUT lapses         integer,
    OUT last_review    timestamptz,
    OUT next_review    timestamptz
)
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    c_e        constant double precision := exp(1.0::double precision);
    v_p        record := vestige.fsrs_parameters();
    v_w        double precision[] := v_p.w;
    v_decay    double precision := -v_p.w[20];
    v_factor   double precision := power(0.9::double precision, 1.0 / v_decay) - 1;
    v_days     integer;
    v_r        double precision;
    v_inc      double precision;
    v_arg1     double precision;
    v_arg2     double precision;
    v_steps    interval[];
    v_n        integer;
    v_ivl      double precision;
    v_interval interval;
    v_graduate boolean := false;
BEGIN
    IF p_rating IS NULL OR p_rating NOT BETWEEN 1 AND 4 THEN
        RAISE EXCEPTION 'rating must be 1 (again), 2 (hard), 3 (good) or 4 (easy), not %', coalesce(p_rating::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Pass p_rating between 1 and 4.';
    END IF;
    IF p_state IS NULL OR p_state NOT IN ('new', 'learning', 'review', 'relearning') THEN
        RAISE EXCEPTION 'unknown scheduling state %', coalesce(quote_literal(p_state), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'The state is one of new, learning, review, relearning.';
    END IF;
    IF p_reviewed_at IS NULL OR p_reviewed_at < p_last_review THEN
        RAISE EXCEPTION 'review time % is before the last review (%)', coalesce(p_reviewed_at::text, 'NULL'), p_last_review
            USING ERRCODE = 'VS006', HINT = 'Reviews are applied in time order; pass a p_reviewed_at at or after the last review.';
    END IF;

    -- A new memory is py-fsrs's fresh card: Learning, step 0, no stability or difficulty yet.
    state := CASE WHEN p_state = 'new' THEN 'learning' ELSE p_state END;
    step  := CASE WHEN p_state = 'new' THEN 0 ELSE p_step END;
    v_days := floor(extract(epoch FROM p_reviewed_at - p_last_review) / 86400);   -- NULL when never reviewed

    -- 1. Stability and difficulty.
    IF p_stability IS NULL OR p_difficulty IS NULL THEN
        -- initial stability w[G-1]; initial difficulty w4 - e^(w5 (G-1)) + 1, clamped to [1, 10]
        stability  := greatest(v_w[p_rating - 1], 0.001);
        difficulty := least(greatest(v_w[4] - power(c_e, v_w[5] * (p_rating - 1)) + 1, 1.0), 10.0);
    ELSE
        IF v_days < 1 THEN
            -- same-day review: short-term stability S * e^(w17 (G - 3 + w18)) * S^-w19
            v_inc := power(c_e, v_w[17] * (p_rating - 3 + v_w[18])) * power(p_stability, -v_w[19]);
            IF p_rating >= 2 THEN
                v_inc := greatest(v_inc, 1.0);
            END IF;
            stability := greatest(p_stability * v_inc, 0.001);
        ELSE
            v_r := CASE WHEN p_last_review IS NULL THEN 0
                        ELSE vestige.fsrs_retrievability(v_days, p_stability, v_w[20]) END;
            IF p_rating = 1 THEN
                -- post-lapse stability, capped by the short-term forget stability
                stability := least(
                    v_w[11] * power(p_difficulty, -v_w[12]) * (power(p_stability + 1, v_w[13]) - 1)
                        * power(c_e, (1 - v_r) * v_w[14]),
                    p_stability / power(c_e, v_w[17] * v_w[18]));
            ELSE
                -- recall stability, with the hard penalty w15 and the easy bonus w16
                stability := p_stability * (
                    1 + power(c_e, v_w[8]) * (11 - p_difficulty) * power(p_stability, -v_w[9])
                        * (power(c_e, (1 - v_r) * v_w[10]) - 1)
                        * CASE WHEN p_rating = 2 THEN v_w[15] ELSE 1 END
                        * CASE WHEN p_rating = 4 THEN v_w[16] ELSE 1 END);
            END IF;
            stability := greatest(stability, 0.001);
        END IF;
        -- next difficulty: linear damping toward 10, then mean reversion to D0(easy)
        v_arg1 := v_w[4] - power(c_e, v_w[5] * (4 - 1)) + 1;
        v_arg2 := p_difficulty + (10.0 - p_difficulty) * (-(v_w[6] * (p_rating - 3))) / 9.0;
        difficulty := least(greatest(v_w[7] * v_arg1 + (1 - v_w[7]) * v_arg2, 1.0), 10.0);
    END IF;

    -- 2. Next state, step and interval.
    IF state = 'review' THEN
        IF p_rating = 1 AND cardinality(v_p.relearning_steps) > 0 THEN
            state := 'relearning';
            step := 0;
            v_interval := v_p.relearning_steps[0];
        ELSE
            v_graduate := true;
        END IF;
    ELSE
        v_steps := CASE WHEN state = 'learning' THEN v_p.learning_steps ELSE v_p.relearning_steps END;
        v_n := cardinality(v_steps);
        IF v_n = 0 OR (step >= v_n AND p_rating >= 2) THEN
            v_graduate := true;
        ELSIF p_rating = 1 THEN
            step := 0;
            v_interval := v_steps[0];
        ELSIF p_rating = 2 THEN
            v_interval := CASE WHEN step = 0 AND v_n = 1 THEN v_steps[0] * 1.5
                               WHEN step = 0 THEN (v_steps[0] + v_steps[1]) / 2.0
                               ELSE v_steps[step] END;
        ELSIF p_rating = 3 AND step + 1 < v_n THEN
            step := step + 1;
            v_interval := v_steps[step];
        ELSE
            v_graduate := true;   -- good on the last step, or easy
        END IF;
    END IF;

    IF v_graduate THEN
        state := 'review';
        step := NULL;
        v_ivl := round((stability / v_factor) * (power(v_p.desired_retention, 1.0 / v_decay) - 1));
        v_ivl := least(greatest(v_ivl, 1), v_p.maximum_interval);
        v_interval := make_interval(secs => v_ivl * 86400);
    END IF;

    retrievability := 1.0;   -- recall probability at last_review, right after this review
    reps := coalesce(p_reps, 0) + 1;
    lapses := coalesce(p_lapses, 0) + CASE WHEN p_state = 'review' AND p_rating = 1 THEN 1 ELSE 0 END;
    last_review := p_reviewed_at;
    next_review := p_reviewed_at + v_interval;
END
$$;

COMMENT ON FUNCTION vestige.fsrs_step(text, integer, double precision, double precision, integer, integer, timestamptz, integer, timestamptz) IS
'Return the scheduling state after one review with rating 1-4 at p_reviewed_at, given the state before: FSRS-6 exactly as py-fsrs 6.3.2 Scheduler.review_card with its defaults (vestige.fsrs_parameters(): 21 weights, desired retention 0.9, maximum interval 36500 days, learning steps 1 min and 10 min, relearning step 10 min) and fuzzing off. State new is py-fsrs''s fresh Learning card; lapses count Again in state review; retrievability is 1 (as of this review). Private helper. Errors: VS006 rating outside 1-4, unknown state, review time missing or before the last review.';

COMMIT;
