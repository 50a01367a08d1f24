-- pgTAP: vestige.knowledge_nodes — the triggers (weighted tsvector content A / node_type B /
-- tags C in the configured language; updated_at on described columns) and the table's checks.
BEGIN;
SELECT plan(27);

-- Fixtures (superuser): user A; memories are written directly as vestige_owner below (vestige_app
-- writes through the API functions only, which run as vestige_owner).
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_owner;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
CREATE FUNCTION pg_temp.node(p_id uuid) RETURNS vestige.knowledge_nodes
LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT * FROM vestige.knowledge_nodes AS n WHERE n.id = p_id $$;
-- The lexemes of a memory's tsvector with their weights, e.g. 'glacier:A'.
CREATE FUNCTION pg_temp.lexemes(p_id uuid) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT array_agg(t.lexeme || ':' || array_to_string(t.weights, '') ORDER BY t.lexeme)
      FROM unnest((pg_temp.node(p_id)).search_tsv) AS t
$$;
INSERT INTO ids VALUES ('a', vestige_test.user('a')),
                       ('m', '11111111-1111-4111-8111-111111111111'), ('simple', '22222222-2222-4222-8222-222222222222');

SELECT has_trigger('vestige', 'knowledge_nodes', 'knowledge_nodes_tsv', 'knowledge_nodes should have the tsvector trigger');
SELECT has_trigger('vestige', 'knowledge_nodes', 'knowledge_nodes_updated_at', 'knowledge_nodes should have the updated_at trigger');

SET LOCAL ROLE vestige_owner;

-- The weighted tsvector on insert (the trigger runs as the writer).
INSERT INTO vestige.knowledge_nodes (id, content, node_type, tags, owner_user_id)
VALUES (pg_temp.m('m'), 'Glaciers are melting fast', 'decision', '{kayak trips}', pg_temp.m('a'));
SELECT is(pg_temp.lexemes(pg_temp.m('m')), '{decis:B,fast:A,glacier:A,kayak:C,melt:A,trip:C}'::text[],
          'the tsvector should weight content A, node_type B and tags C, stemmed in english');
SELECT is((pg_temp.node(pg_temp.m('m'))).search_tsv,
          vestige.memory_tsv('english', 'Glaciers are melting fast', 'decision', '{kayak trips}'),
          'the trigger should store exactly vestige.memory_tsv of the row');
SELECT ok((SELECT search_tsv @@ to_tsquery('english', 'kayak:C') AND NOT search_tsv @@ to_tsquery('english', 'kayak:AB')
             FROM pg_temp.node(pg_temp.m('m'))),
          'a tag should match with weight C only');
SELECT ok((SELECT ts_rank(search_tsv, to_tsquery('english', 'glacier')) > ts_rank(search_tsv, to_tsquery('english', 'decision'))
              AND ts_rank(search_tsv, to_tsquery('english', 'decision')) > ts_rank(search_tsv, to_tsquery('english', 'kayak'))
             FROM pg_temp.node(pg_temp.m('m'))),
          'a content term should rank above a type term, which ranks above a tag term');

-- Recomputed when content, node_type or tags change.
UPDATE vestige.knowledge_nodes SET content = 'Rivers freeze' WHERE id = pg_temp.m('m');
SELECT is(pg_temp.lexemes(pg_temp.m('m')), '{decis:B,freez:A,kayak:C,river:A,trip:C}'::text[], 'changing the content should recompute the tsvector');
UPDATE vestige.knowledge_nodes SET node_type = 'event' WHERE id = pg_temp.m('m');
SELECT is(pg_temp.lexemes(pg_temp.m('m')), '{event:B,freez:A,kayak:C,river:A,trip:C}'::text[], 'changing the type should recompute the tsvector');
UPDATE vestige.knowledge_nodes SET tags = '{canoe}' WHERE id = pg_temp.m('m');
SELECT is(pg_temp.lexemes(pg_temp.m('m')), '{cano:C,event:B,freez:A,river:A}'::text[], 'changing the tags should recompute the tsvector');
UPDATE vestige.knowledge_nodes SET tags = '{}' WHERE id = pg_temp.m('m');
SELECT is(pg_temp.lexemes(pg_temp.m('m')), '{event:B,freez:A,river:A}'::text[], 'empty tags should leave only content and type');

-- The language comes from vestige.settings.
RESET ROLE;
UPDATE vestige.settings SET fts_language = 'simple';
SET LOCAL ROLE vestige_owner;
INSERT INTO vestige.knowledge_nodes (id, content, owner_user_id) VALUES (pg_temp.m('simple'), 'The running dogs', pg_temp.m('a'));
SELECT is(pg_temp.lexemes(pg_temp.m('simple')), '{dogs:A,fact:B,running:A,the:A}'::text[],
          'with fts_language simple the trigger should keep stop words and not stem');
UPDATE vestige.knowledge_nodes SET content = 'Rivers freeze' WHERE id = pg_temp.m('m');
SELECT is(pg_temp.lexemes(pg_temp.m('m')), '{event:B,freeze:A,rivers:A}'::text[], 'an update should also use the configured language');

-- updated_at: stamped when what the memory says or who sees it changes; recalls, strength
-- changes and re-embedding leave it alone. The fixture puts it in 2020 (trigger bypassed).
RESET ROLE;
SET LOCAL session_replication_role = replica;
UPDATE vestige.knowledge_nodes SET updated_at = '2020-01-01', created_at = '2019-01-01' WHERE id = pg_temp.m('m');
SET LOCAL session_replication_role = origin;
SELECT is((pg_temp.node(pg_temp.m('m'))).updated_at, '2020-01-01'::timestamptz, 'the fixture should have put updated_at in 2020');
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.5, storage_strength = 2, access_count = 3, last_accessed = now(), embedding = '[1,0,0]'
 WHERE id = pg_temp.m('m');
SELECT is((pg_temp.node(pg_temp.m('m'))).updated_at, '2020-01-01'::timestamptz,
          'a change of strengths, counters or the vector only should not move updated_at');
SET LOCAL ROLE vestige_owner;
UPDATE vestige.knowledge_nodes SET protected = true WHERE id = pg_temp.m('m');
SELECT results_eq($$SELECT updated_at, created_at FROM pg_temp.node(pg_temp.m('m'))$$,
                  $$VALUES (now(), '2019-01-01'::timestamptz)$$,
                  'an update of a described column (protected) should set updated_at to now and leave created_at alone');
SELECT results_eq($$SELECT created_at, updated_at FROM pg_temp.node(pg_temp.m('simple'))$$, $$VALUES (now(), now())$$,
                  'an insert should set created_at and updated_at to now');
RESET ROLE;
SET LOCAL session_replication_role = replica;
UPDATE vestige.knowledge_nodes SET updated_at = '2020-01-01' WHERE id = pg_temp.m('m');
SET LOCAL session_replication_role = origin;
UPDATE vestige.knowledge_nodes SET visibility = 'public', updated_at = '2000-01-01' WHERE id = pg_temp.m('m');
SELECT is((pg_temp.node(pg_temp.m('m'))).updated_at, now(),
          'an explicit updated_at next to a described change (visibility) should be overridden by the trigger');
SET LOCAL ROLE vestige_owner;

-- The table's own checks (the last guard behind the API).
SELECT throws_ok(format($$INSERT INTO vestige.knowledge_nodes (content, owner_user_id) VALUES (' ', %L)$$, pg_temp.m('a')),
                 '23514', NULL, 'blank content should violate a check constraint');
SELECT throws_ok(format($$INSERT INTO vestige.knowledge_nodes (content, owner_user_id) VALUES (repeat('x', 1048577), %L)$$, pg_temp.m('a')),
                 '23514', NULL, 'content over 1 MiB should violate a check constraint');
SELECT throws_ok(format($$INSERT INTO vestige.knowledge_nodes (content, owner_user_id, visibility) VALUES ('x', %L, 'secret')$$, pg_temp.m('a')),
                 '23514', NULL, 'an unknown visibility should violate a check constraint');
SELECT throws_ok(format($$INSERT INTO vestige.knowledge_nodes (content, owner_user_id, metadata) VALUES ('x', %L, '[]')$$, pg_temp.m('a')),
                 '23514', NULL, 'metadata that is not an object should violate a check constraint');
SELECT throws_ok(format($$INSERT INTO vestige.knowledge_nodes (content, owner_user_id, valid_from, valid_until) VALUES ('x', %L, '2026-02-01', '2026-01-01')$$, pg_temp.m('a')),
                 '23514', NULL, 'valid_until before valid_from should violate a check constraint');
SELECT throws_ok(format($$INSERT INTO vestige.knowledge_nodes (content, owner_user_id, codebase) VALUES ('x', %L, '')$$, pg_temp.m('a')),
                 '23514', NULL, 'a blank codebase should violate a check constraint');
RESET ROLE;
SELECT throws_ok(format($$UPDATE vestige.knowledge_nodes SET superseded_by = id WHERE id = %L$$, pg_temp.m('m')),
                 '23514', NULL, 'a memory superseded by itself should violate a check constraint');
SELECT throws_ok(format($$UPDATE vestige.knowledge_nodes SET retrieval_strength = 1.5 WHERE id = %L$$, pg_temp.m('m')),
                 '23514', NULL, 'a retrieval strength above 1 should violate a check constraint');
SELECT is((SELECT count(*)::int FROM vestige.knowledge_nodes), 2, 'the refused writes should leave only the two memories written above');
SELECT results_eq($$SELECT superseded_by, retrieval_strength FROM pg_temp.node(pg_temp.m('m'))$$, $$VALUES (NULL::uuid, 0.5::float8)$$,
                  'the refused updates should leave the memory unchanged');

SELECT * FROM finish();
ROLLBACK;
