-- Verify vestige:function_fsrs_step

BEGIN;
SELECT 1 / (cardinality((vestige.fsrs_parameters()).w) = 21)::int;
SELECT 1 / count(*)
  FROM vestige.fsrs_step(p_state => 'new', p_step => NULL, p_stability => NULL, p_difficulty => NULL,
                         p_reps => 0, p_lapses => 0, p_last_review => NULL, p_rating => 3,
                         p_reviewed_at => '2026-01-01 00:00:00+00') AS f
 WHERE f.state = 'learning' AND f.step = 1 AND f.stability = 2.3065
   AND f.next_review = '2026-01-01 00:10:00+00';
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app',
    'vestige.fsrs_step(text, integer, double precision, double precision, integer, integer, timestamptz, integer, timestamptz)',
    'EXECUTE'))::int;
ROLLBACK;
