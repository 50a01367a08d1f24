-- Revert vestige:table_review_events

BEGIN;
DROP TABLE vestige.review_events;
COMMIT;
