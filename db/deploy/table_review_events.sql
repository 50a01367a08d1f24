-- Deploy vestige:table_review_events
-- Append-only log of FSRS reviews, with the state before and after.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.review_events (
    id          bigserial   PRIMARY KEY,
    memory_id   uuid        NOT NULL REFERENCES vestige.knowledge_nodes (id) ON DELETE CASCADE,
    reviewed_at timestamptz NOT NULL DEFAULT now(),
    rating      smallint    NOT NULL CHECK (rating BETWEEN 1 AND 4),
    prior_state jsonb       NOT NULL,
    new_state   jsonb       NOT NULL
);

CREATE INDEX review_events_memory_id_idx ON vestige.review_events (memory_id, reviewed_at);

ALTER TABLE vestige.review_events ENABLE ROW LEVEL SECURITY;

COMMENT ON TABLE vestige.review_events IS 'Append-only log of reviews: rating 1-4 (again, hard, good, easy) and the scheduling state before and after.';

GRANT SELECT ON vestige.review_events TO vestige_app;

COMMIT;
