-- Deploy vestige:table_scheduling
-- FSRS-6 scheduling state, one row per memory (created with the memory).

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.scheduling (
    memory_id      uuid             PRIMARY KEY REFERENCES vestige.knowledge_nodes (id) ON DELETE CASCADE,
    stability      double precision CHECK (stability > 0),
    difficulty     double precision CHECK (difficulty BETWEEN 1 AND 10),
    retrievability double precision NOT NULL DEFAULT 1 CHECK (retrievability BETWEEN 0 AND 1),
    state          text             NOT NULL DEFAULT 'new'
                                    CHECK (state IN ('new', 'learning', 'review', 'relearning')),
    step           integer          CHECK (step >= 0),
    reps           integer          NOT NULL DEFAULT 0 CHECK (reps >= 0),
    lapses         integer          NOT NULL DEFAULT 0 CHECK (lapses >= 0),
    last_review    timestamptz,
    next_review    timestamptz      NOT NULL DEFAULT now(),
    CHECK (state = 'new' OR (stability IS NOT NULL AND difficulty IS NOT NULL))
);

CREATE INDEX scheduling_next_review_idx ON vestige.scheduling (next_review);

ALTER TABLE vestige.scheduling ENABLE ROW LEVEL SECURITY;

COMMENT ON TABLE vestige.scheduling IS 'FSRS-6 scheduling state of each memory: stability, difficulty, state, reps, lapses, next review.';
COMMENT ON COLUMN vestige.scheduling.stability IS 'FSRS stability in days (NULL while new).';
COMMENT ON COLUMN vestige.scheduling.step IS 'Learning or relearning step index (NULL in review and new states).';

GRANT SELECT ON vestige.scheduling TO vestige_app;

COMMIT;
