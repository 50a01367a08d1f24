-- Deploy vestige:table_knowledge_nodes_fillfactor
-- A memory's row is ~2 kB (its 384-d vector alone is 1.5 kB), four to a page. The testing effect
-- (touch_memories, on every search's own hits) updates a few numbers of the row; with the page
-- full, the new version goes to another page and every index gets an entry for it, the HNSW
-- graph included (1-10 ms a row at 100k-1M memories). With a quarter of the page left free the
-- new version stays on its page (a HOT update) and no index is touched: at 100,000 memories a
-- search of one's own memories took 3.7 ms + 5.8 ms for the touch, and +1.1 ms with this
-- (bench/README.md). The table takes a third more pages. New pages get it; a store loaded
-- before gets it by VACUUM FULL (runbook section 5).

BEGIN;
SET LOCAL ROLE vestige_owner;

ALTER TABLE vestige.knowledge_nodes SET (fillfactor = 75);

COMMIT;
