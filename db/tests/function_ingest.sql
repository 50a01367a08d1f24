-- pgTAP: vestige.ingest — prediction-error gating: every decision path (create, reinforce,
-- update, supersede, links to memories that are not merged into), the contradiction signal
-- computed on the neighbour (or given by the caller), a batch linked in order (p_after),
-- visibility, bad input, the event time (p_valid_from, p_valid_until).
-- Vectors are hand-made 3-d vectors with known cosines to [1,0,0]: [0.95,0.31225,0] 0.95,
-- [0.8,0.6,0] 0.8, [0.72,0.69397,0] 0.72, [0.6,0.8,0] 0.6. Each scenario has a user of its own,
-- whose private memories no other scenario sees.
BEGIN;
SELECT plan(89);

-- Fixtures (superuser): the memories of the scenarios, the results of the ingests, the rows
-- before; after the model is registered (it retypes the vector column), views over every row
-- (owned by the superuser, so row-level security does not hide rows from the checks).
CREATE TEMP TABLE m (name text PRIMARY KEY, id uuid) ON COMMIT DROP;
CREATE TEMP TABLE r (name text PRIMARY KEY, decision text, id uuid, similarity double precision, matched_id uuid) ON COMMIT DROP;
CREATE TEMP TABLE before (id uuid PRIMARY KEY, row_text text, sched_text text) ON COMMIT DROP;
GRANT SELECT ON m, before TO vestige_app;
GRANT SELECT, INSERT ON r TO vestige_app;

SET LOCAL ROLE vestige_app;

SELECT throws_ok(
    $$SELECT * FROM vestige.ingest(p_content => 'x', p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
    'VS001', NULL, 'ingest without a caller identity should raise VS001');
SELECT vestige_test.act_as(vestige_test.user('solo'));
SELECT throws_ok(
    $$SELECT * FROM vestige.ingest(p_content => 'x', p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
    'VS002', NULL, 'ingest before any model is registered should raise VS002');

RESET ROLE;
SELECT vestige_test.register_model();
CREATE TEMP VIEW all_nodes AS SELECT * FROM vestige.knowledge_nodes;
CREATE TEMP VIEW all_edges AS SELECT * FROM vestige.edges;
CREATE TEMP VIEW state AS
SELECT n.id, n::text || ' ' || coalesce(s::text, '') AS row_text, s::text AS sched_text
  FROM vestige.knowledge_nodes AS n
  LEFT JOIN vestige.scheduling AS s ON s.memory_id = n.id;
GRANT SELECT ON all_nodes, all_edges, state TO vestige_app;
-- The memories of the scenarios (the public one comes after the no-neighbour test).
INSERT INTO m VALUES
  ('grp',  vestige_test.memory(vestige_test.user('go'), 'group memory on the y axis', 'group',
                               ARRAY[vestige_test.group('gg', vestige_test.user('go'), ARRAY[vestige_test.user('gm')])], '[0,1,0]')),
  ('r',    vestige_test.memory(vestige_test.user('r'),    'reinforced fact', p_embedding => '[1,0,0]')),
  ('p',    vestige_test.memory(vestige_test.user('p'),    'protected fact', p_embedding => '[1,0,0]')),
  ('h',    vestige_test.memory(vestige_test.user('h'),    'well known fact', p_embedding => '[1,0,0]')),
  ('h2',   vestige_test.memory(vestige_test.user('h2'),   'fairly well known fact', p_embedding => '[1,0,0]')),
  ('w',    vestige_test.memory(vestige_test.user('w'),    'weak old fact', p_embedding => '[1,0,0]')),
  ('k',    vestige_test.memory(vestige_test.user('k'),    'the meeting is on Monday', p_embedding => '[1,0,0]')),
  ('k2',   vestige_test.memory(vestige_test.user('k2'),   'the meeting is on Monday', p_embedding => '[1,0,0]')),
  ('k3',   vestige_test.memory(vestige_test.user('k3'),   'the meeting is on Monday', p_embedding => '[1,0,0]')),
  ('k6',   vestige_test.memory(vestige_test.user('k6'),   'the meeting is on Monday', p_embedding => '[1,0,0]')),
  ('k7',   vestige_test.memory(vestige_test.user('k7'),   'the meeting is on Monday', p_embedding => '[1,0,0]')),
  ('k4',   vestige_test.memory(vestige_test.user('k4'),   'the meeting is at 10:00', p_embedding => '[1,0,0]')),
  ('k5',   vestige_test.memory(vestige_test.user('k5'),   'the protected meeting is at 10:00', p_embedding => '[1,0,0]')),
  ('u',    vestige_test.memory(vestige_test.user('u'),    'The backup runs nightly', p_embedding => '[1,0,0]', p_tags => '{ops,db}')),
  ('big',  vestige_test.memory(vestige_test.user('big'),  repeat('x', 1048000), p_embedding => '[1,0,0]')),
  ('far',  vestige_test.memory(vestige_test.user('far'),  'far away fact', p_embedding => '[1,0,0]')),
  ('f',    vestige_test.memory(vestige_test.user('f'),    'forced fact', p_embedding => '[1,0,0]'));
UPDATE vestige.knowledge_nodes SET retrieval_strength = 0.5, retention_strength = 0.4
 WHERE id IN (SELECT id FROM m WHERE name IN ('r', 'k', 'k2', 'k3', 'k6', 'k7', 'u', 'big', 'far'));
UPDATE vestige.knowledge_nodes SET protected = true, retrieval_strength = 0.5 WHERE id = (SELECT id FROM m WHERE name = 'p');
UPDATE vestige.knowledge_nodes SET protected = true WHERE id = (SELECT id FROM m WHERE name = 'k5');
UPDATE vestige.knowledge_nodes SET retrieval_strength = 0.86 WHERE id = (SELECT id FROM m WHERE name = 'h');
UPDATE vestige.knowledge_nodes SET retrieval_strength = 0.85 WHERE id = (SELECT id FROM m WHERE name = 'h2');
UPDATE vestige.knowledge_nodes SET retrieval_strength = 0.2 WHERE id = (SELECT id FROM m WHERE name = 'w');
INSERT INTO before SELECT s.id, s.row_text, s.sched_text FROM state AS s;
SELECT vestige_test.snapshot();

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('solo'));

-- Bad input: raises, writes nothing.
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => '', p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
    'VS006', NULL, 'empty content should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => '  ', p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
    'VS006', NULL, 'blank content should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => NULL, p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
    'VS006', NULL, 'NULL content should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => repeat('x', 1048577), p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
    'VS006', NULL, 'content over 1 MiB should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => 'no vector')$$,
    'VS006', NULL, 'a missing embedding should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => 'x', p_embedding => '[1,0,0]', p_model_hash => repeat('b', 64))$$,
    'VS003', NULL, 'a vector of another model should raise VS003');
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => 'x', p_embedding => '[1,0]', p_model_hash => vestige_test.model_hash())$$,
    'VS004', NULL, 'a vector of another dimension should raise VS004');
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => 'x', p_embedding => '[0,0,0]', p_model_hash => vestige_test.model_hash())$$,
    'VS007', NULL, 'a zero vector should raise VS007');
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => 'x', p_embedding => '[0,0,1]', p_model_hash => vestige_test.model_hash(),
                                                 p_visibility => 'bogus')$$,
    'VS006', NULL, 'a bad visibility should raise VS006 (insert_memory''s check) when a memory is created');
SELECT is(vestige_test.changed() + (SELECT count(*) FROM all_edges), 0::bigint,
    'refused ingests should write nothing: no memory, no change, no edge');

-- No neighbour: create, with every argument stored.
INSERT INTO r SELECT 'solo', i.* FROM vestige.ingest(
    p_content => 'solo fact', p_node_type => 'note', p_tags => '{t1,t2}', p_source => 'chat', p_metadata => '{"k": 1}',
    p_embedding => '[0,0,1]', p_model_hash => vestige_test.model_hash(), p_codebase => 'cb') AS i;
SELECT results_eq($$SELECT decision, similarity, matched_id FROM r WHERE name = 'solo'$$,
    $$VALUES ('create', NULL::double precision, NULL::uuid)$$,
    'without any visible neighbour the decision should be create, with no similarity and no match');
SELECT results_eq(
    $$SELECT n.content, n.node_type, n.tags, n.source, n.metadata, n.codebase, n.owner_user_id, n.visibility, n.embedding::text
        FROM all_nodes AS n WHERE n.id = (SELECT id FROM r WHERE name = 'solo')$$,
    $$VALUES ('solo fact', 'note', '{t1,t2}'::text[], 'chat', '{"k": 1}'::jsonb, 'cb', vestige_test.user('solo'), 'private', '[0,0,1]')$$,
    'the created memory should carry every argument and belong to the caller');
SELECT is((vestige_test.sched((SELECT id FROM r WHERE name = 'solo'))).state, 'new',
    'the created memory should get its scheduling row (insert_memory)');

-- Another user's public memory: a memory of our own linked to it, never an update.
RESET ROLE;
INSERT INTO m VALUES ('pub', vestige_test.memory(vestige_test.user('pubowner'), 'public fact on the z axis', 'public', '{}', '[0,0,1]'));
INSERT INTO before SELECT s.id, s.row_text, s.sched_text FROM state AS s WHERE s.id = (SELECT id FROM m WHERE name = 'pub');
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('ext'));
INSERT INTO r SELECT 'ext', i.* FROM vestige.ingest(p_content => 'my note on the z axis', p_embedding => '[0,0.6,0.8]',
                                                   p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, matched_id, round(similarity::numeric, 4) FROM r WHERE name = 'ext'$$,
    $$VALUES ('create', (SELECT id FROM m WHERE name = 'pub'), 0.8000)$$,
    'a match (0.8) on another user''s public memory should create a memory of the caller''s own');
SELECT results_eq(
    $$SELECT e.edge_type, e.weight FROM all_edges AS e
       WHERE e.source_id = (SELECT id FROM r WHERE name = 'ext') AND e.target_id = (SELECT id FROM m WHERE name = 'pub')$$,
    $$SELECT 'related', similarity FROM r WHERE name = 'ext'$$,
    'the new memory should be linked to the public memory by a related edge weighted by the similarity');
SELECT is((SELECT row_text FROM state WHERE id = (SELECT id FROM m WHERE name = 'pub')),
          (SELECT row_text FROM before WHERE id = (SELECT id FROM m WHERE name = 'pub')),
    'another user''s public memory should stay untouched');
SELECT is((SELECT owner_user_id FROM all_nodes WHERE id = (SELECT id FROM r WHERE name = 'ext')), vestige_test.user('ext'),
    'the new memory should belong to the caller');
SELECT vestige_test.act_as(vestige_test.user('ext2'));
INSERT INTO r SELECT 'ext2', i.* FROM vestige.ingest(p_content => 'loosely related', p_embedding => '[0,0.69397,0.72]',
                                                    p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, matched_id, round(similarity::numeric, 4) FROM r WHERE name = 'ext2'$$,
    $$VALUES ('create', (SELECT id FROM m WHERE name = 'pub'), 0.7200)$$,
    'a match of 0.72 on another user''s memory should create a memory');
SELECT is((SELECT count(*) FROM all_edges WHERE source_id = (SELECT id FROM r WHERE name = 'ext2')), 0::bigint,
    'below 0.75 no edge should link the new memory to another user''s memory');

-- Another user's group memory, seen by a member: identical vector, still a new linked memory.
SELECT vestige_test.act_as(vestige_test.user('gm'));
INSERT INTO r SELECT 'gm', i.* FROM vestige.ingest(p_content => 'group memory on the y axis', p_embedding => '[0,1,0]',
                                                  p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, matched_id, round(similarity::numeric, 6) FROM r WHERE name = 'gm'$$,
    $$VALUES ('create', (SELECT id FROM m WHERE name = 'grp'), 1.000000)$$,
    'an identical match on another user''s group memory should create a memory, not reinforce someone else''s');
SELECT is((SELECT edge_type FROM all_edges WHERE source_id = (SELECT id FROM r WHERE name = 'gm')
                                            AND target_id = (SELECT id FROM m WHERE name = 'grp')), 'related',
    'the member''s new memory should be linked to the group memory');
SELECT is((SELECT row_text FROM state WHERE id = (SELECT id FROM m WHERE name = 'grp')),
          (SELECT row_text FROM before WHERE id = (SELECT id FROM m WHERE name = 'grp')),
    'the group memory of another user should stay untouched');

-- A stranger is never matched with private or group memories of others.
SELECT vestige_test.act_as(vestige_test.user('stranger'));
INSERT INTO r SELECT 'stranger', i.* FROM vestige.ingest(p_content => 'stranger fact', p_embedding => '[0.1,1,0]',
                                                        p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, matched_id, round(similarity::numeric, 6) FROM r WHERE name = 'stranger'$$,
    $$VALUES ('create', (SELECT id FROM m WHERE name = 'pub'), 0.000000)$$,
    'a stranger''s nearest neighbour should be the public memory (similarity 0), never a private or group memory of others');

-- Reinforce: s >= 0.92 on an own memory.
SELECT vestige_test.act_as(vestige_test.user('r'));
INSERT INTO r SELECT 'r', i.* FROM vestige.ingest(p_content => 'reinforced fact, said again', p_embedding => '[0.95,0.31225,0]',
                                                 p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, id, matched_id, round(similarity::numeric, 4) FROM r WHERE name = 'r'$$,
    $$SELECT 'reinforce', id, id, 0.9500 FROM m WHERE name = 'r'$$,
    'a match of 0.95 on an own memory should reinforce it and return its id');
SELECT results_eq(
    $$SELECT round(retrieval_strength::numeric, 9), round(retention_strength::numeric, 9), access_count, last_accessed, content
        FROM all_nodes WHERE id = (SELECT id FROM m WHERE name = 'r')$$,
    $$VALUES (0.550000000, 0.420000000, 1, now(), 'reinforced fact')$$,
    'reinforce should apply the testing effect (retrieval +0.05, retention +0.02, accessed now) and keep the content');
SELECT is((SELECT count(*) FROM all_nodes WHERE owner_user_id = vestige_test.user('r')), 1::bigint,
    'reinforce should store no new memory');

-- Protected: never merged into; a new memory linked to it.
SELECT vestige_test.act_as(vestige_test.user('p'));
INSERT INTO r SELECT 'p', i.* FROM vestige.ingest(p_content => 'about the protected fact', p_embedding => '[0.8,0.6,0]',
                                                 p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, matched_id, round(similarity::numeric, 4) FROM r WHERE name = 'p'$$,
    $$VALUES ('create', (SELECT id FROM m WHERE name = 'p'), 0.8000)$$,
    'a match of 0.8 on a protected memory should create a new memory');
SELECT is((SELECT row_text FROM state WHERE id = (SELECT id FROM m WHERE name = 'p')),
          (SELECT row_text FROM before WHERE id = (SELECT id FROM m WHERE name = 'p')),
    'the protected memory and its scheduling should stay byte for byte the same');
SELECT results_eq(
    $$SELECT e.edge_type, e.weight FROM all_edges AS e WHERE e.source_id = (SELECT id FROM r WHERE name = 'p')
                                                        AND e.target_id = (SELECT id FROM m WHERE name = 'p')$$,
    $$SELECT 'related', similarity FROM r WHERE name = 'p'$$,
    'the new memory should be linked to the protected one by a related edge weighted by the similarity');

-- High retrieval strength (> 0.85): never merged into.
SELECT vestige_test.act_as(vestige_test.user('h'));
INSERT INTO r SELECT 'h', i.* FROM vestige.ingest(p_content => 'about the well known fact', p_embedding => '[0.8,0.6,0]',
                                                 p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, matched_id FROM r WHERE name = 'h'$$,
    $$VALUES ('create', (SELECT id FROM m WHERE name = 'h'))$$,
    'a match of 0.8 on a memory with retrieval strength 0.86 should create a new memory');
SELECT is((SELECT row_text FROM state WHERE id = (SELECT id FROM m WHERE name = 'h')),
          (SELECT row_text FROM before WHERE id = (SELECT id FROM m WHERE name = 'h')),
    'the strongly retrievable memory and its scheduling should stay byte for byte the same');
SELECT is((SELECT edge_type FROM all_edges WHERE source_id = (SELECT id FROM r WHERE name = 'h')
                                            AND target_id = (SELECT id FROM m WHERE name = 'h')), 'related',
    'the new memory should be linked to the strongly retrievable one');
SELECT vestige_test.act_as(vestige_test.user('h2'));
INSERT INTO r SELECT 'h2', i.* FROM vestige.ingest(p_content => 'more on it', p_embedding => '[0.8,0.6,0]',
                                                  p_model_hash => vestige_test.model_hash()) AS i;
SELECT is((SELECT decision FROM r WHERE name = 'h2'), 'update',
    'a retrieval strength of exactly 0.85 should not block an update (the rule is > 0.85)');

-- Supersede a weak memory (retrieval strength < 0.3, s >= 0.75).
SELECT vestige_test.act_as(vestige_test.user('w'));
INSERT INTO r SELECT 'w', i.* FROM vestige.ingest(p_content => 'the new truth', p_embedding => '[0.8,0.6,0]',
                                                 p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, matched_id, id <> matched_id FROM r WHERE name = 'w'$$,
    $$VALUES ('supersede', (SELECT id FROM m WHERE name = 'w'), true)$$,
    'a match of 0.8 on a memory with retrieval strength 0.2 should supersede it with a new memory');
SELECT is((SELECT superseded_by FROM all_nodes WHERE id = (SELECT id FROM m WHERE name = 'w')), (SELECT id FROM r WHERE name = 'w'),
    'the weak memory should be marked superseded by the new one');
SELECT results_eq(
    $$SELECT e.edge_type, e.weight FROM all_edges AS e WHERE e.source_id = (SELECT id FROM r WHERE name = 'w')$$,
    $$SELECT 'supersedes', 1.0::double precision FROM m WHERE name = 'w'$$,
    'the new memory should point to the old one by a supersedes edge (weight 1)');
SELECT results_eq(
    $$SELECT content, owner_user_id, embedding::text FROM all_nodes WHERE id = (SELECT id FROM r WHERE name = 'w')$$,
    $$VALUES ('the new truth', vestige_test.user('w'), '[0.8,0.6,0]')$$,
    'the superseding memory should hold the new content and vector');
INSERT INTO r SELECT 'w again', i.* FROM vestige.ingest(p_content => 'the old wording again', p_embedding => '[1,0,0]',
                                                       p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT matched_id, round(similarity::numeric, 4) FROM r WHERE name = 'w again'$$,
    $$SELECT id, 0.8000 FROM r WHERE name = 'w'$$,
    'a superseded memory should not be matched again, even by its own vector: the superseding one is');

-- Contradiction: supersede from 0.70, also where an update would apply; the caller's flag wins
-- over the computed signal (vestige.contradicts), both ways.
SELECT vestige_test.act_as(vestige_test.user('k'));
INSERT INTO r SELECT 'k', i.* FROM vestige.ingest(p_content => 'the meeting is on Tuesday', p_embedding => '[0.72,0.69397,0]',
                                                 p_model_hash => vestige_test.model_hash(), p_contradiction => true) AS i;
SELECT results_eq($$SELECT decision, matched_id, round(similarity::numeric, 4) FROM r WHERE name = 'k'$$,
    $$VALUES ('supersede', (SELECT id FROM m WHERE name = 'k'), 0.7200)$$,
    'a flagged contradiction at 0.72 should supersede the contradicted memory');
SELECT results_eq(
    $$SELECT n.superseded_by, e.edge_type FROM all_nodes AS n
        JOIN all_edges AS e ON e.target_id = n.id AND e.source_id = n.superseded_by
       WHERE n.id = (SELECT id FROM m WHERE name = 'k')$$,
    $$SELECT id, 'supersedes' FROM r WHERE name = 'k'$$,
    'the contradicted memory should be superseded by the new one, with a supersedes edge');
SELECT vestige_test.act_as(vestige_test.user('k2'));
INSERT INTO r SELECT 'k2', i.* FROM vestige.ingest(p_content => 'the meeting is on Tuesday', p_embedding => '[0.72,0.69397,0]',
                                                  p_model_hash => vestige_test.model_hash(), p_contradiction => false) AS i;
SELECT results_eq($$SELECT decision, matched_id FROM r WHERE name = 'k2'$$,
    $$VALUES ('create', (SELECT id FROM m WHERE name = 'k2'))$$,
    'the same match with p_contradiction false should create a memory: the caller''s signal overrides the computed one');
SELECT is((SELECT row_text FROM state WHERE id = (SELECT id FROM m WHERE name = 'k2'))
              || (SELECT count(*) FROM all_edges WHERE source_id = (SELECT id FROM r WHERE name = 'k2')),
          (SELECT row_text FROM before WHERE id = (SELECT id FROM m WHERE name = 'k2')) || '0',
    'below 0.75 without a contradiction the old memory should stay untouched and unlinked');
SELECT vestige_test.act_as(vestige_test.user('k6'));
INSERT INTO r SELECT 'k6', i.* FROM vestige.ingest(p_content => 'the meeting is on Tuesday', p_embedding => '[0.72,0.69397,0]',
                                                  p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, matched_id FROM r WHERE name = 'k6'$$,
    $$VALUES ('supersede', (SELECT id FROM m WHERE name = 'k6'))$$,
    'without a flag the contradiction should be computed on the neighbour (Monday -> Tuesday) and supersede it');
SELECT vestige_test.act_as(vestige_test.user('k7'));
INSERT INTO r SELECT 'k7', i.* FROM vestige.ingest(p_content => 'the meeting is on Monday, in room 4', p_embedding => '[0.72,0.69397,0]',
                                                  p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, matched_id FROM r WHERE name = 'k7'$$,
    $$VALUES ('create', (SELECT id FROM m WHERE name = 'k7'))$$,
    'a text that adds to the neighbour without contradicting it should not supersede it');
SELECT vestige_test.act_as(vestige_test.user('k3'));
INSERT INTO r SELECT 'k3', i.* FROM vestige.ingest(p_content => 'the meeting is on Tuesday', p_embedding => '[0.8,0.6,0]',
                                                  p_model_hash => vestige_test.model_hash(), p_contradiction => true) AS i;
SELECT is((SELECT decision FROM r WHERE name = 'k3'), 'supersede',
    'a flagged contradiction at 0.8 should supersede rather than update');
SELECT vestige_test.act_as(vestige_test.user('k4'));
INSERT INTO r SELECT 'k4', i.* FROM vestige.ingest(p_content => 'the meeting is at 11:00', p_embedding => '[0.95,0.31225,0]',
                                                  p_model_hash => vestige_test.model_hash(), p_contradiction => true) AS i;
SELECT is((SELECT decision FROM r WHERE name = 'k4'), 'supersede',
    'a flagged contradiction should supersede even a fresh memory at 0.95, where a duplicate would reinforce');
SELECT vestige_test.act_as(vestige_test.user('k5'));
INSERT INTO r SELECT 'k5', i.* FROM vestige.ingest(p_content => 'the protected meeting is at 11:00', p_embedding => '[0.95,0.31225,0]',
                                                  p_model_hash => vestige_test.model_hash(), p_contradiction => true) AS i;
SELECT results_eq(
    $$SELECT r.decision, e.edge_type FROM r JOIN all_edges AS e ON e.source_id = r.id WHERE r.name = 'k5'$$,
    $$VALUES ('create', 'related')$$,
    'a contradicted protected memory should get a new memory linked to it, not be superseded');
SELECT is((SELECT row_text FROM state WHERE id = (SELECT id FROM m WHERE name = 'k5')),
          (SELECT row_text FROM before WHERE id = (SELECT id FROM m WHERE name = 'k5')),
    'the contradicted protected memory should stay byte for byte as it was');

-- Update: s >= 0.75 on an own, not protected, not strong, not weak memory.
SELECT vestige_test.act_as(vestige_test.user('u'));
INSERT INTO r SELECT 'u', i.* FROM vestige.ingest(p_content => 'It now runs at dawn', p_tags => '{db,schedule,schedule}',
                                                 p_embedding => '[0.8,0.6,0]', p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, id, matched_id, round(similarity::numeric, 4) FROM r WHERE name = 'u'$$,
    $$SELECT 'update', id, id, 0.8000 FROM m WHERE name = 'u'$$,
    'a match of 0.8 on an own memory with retrieval strength 0.5 should update it and return its id');
SELECT is((SELECT content FROM all_nodes WHERE id = (SELECT id FROM m WHERE name = 'u')),
          E'The backup runs nightly\n\n[Updated ' || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') || '] It now runs at dawn',
    'the update should append "\n\n[Updated YYYY-MM-DD] " and the new content');
SELECT is((SELECT tags FROM all_nodes WHERE id = (SELECT id FROM m WHERE name = 'u')), '{ops,db,schedule}'::text[],
    'the update should unite the tags: the old ones first, then the new ones once');
SELECT is(
    (SELECT concat_ws(' ', n.embedding, n.storage_strength, n.retrieval_strength, n.retention_strength, n.access_count,
                      n.last_accessed, n.owner_user_id, n.visibility, n.superseded_by)
       FROM all_nodes AS n WHERE n.id = (SELECT id FROM m WHERE name = 'u')),
    '[1,0,0] 1 0.5 0.4 0 ' || now() || ' ' || vestige_test.user('u') || ' private',
    'the update should keep the embedding, strengths, access and owner');
SELECT is((SELECT sched_text FROM state WHERE id = (SELECT id FROM m WHERE name = 'u')),
          (SELECT sched_text FROM before WHERE id = (SELECT id FROM m WHERE name = 'u')),
    'the update should keep the scheduling row');
SELECT is((SELECT count(*) FROM all_nodes WHERE owner_user_id = vestige_test.user('u')), 1::bigint,
    'the update should store no new memory');
SELECT results_eq($$SELECT id FROM vestige.search_fts(p_query => 'dawn')$$, $$SELECT id FROM m WHERE name = 'u'$$,
    'the appended content should be searchable');
SELECT vestige_test.act_as(vestige_test.user('big'));
INSERT INTO r SELECT 'big', i.* FROM vestige.ingest(p_content => repeat('y', 1000), p_embedding => '[0.8,0.6,0]',
                                                   p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq(
    $$SELECT r.decision, r.matched_id, e.edge_type FROM r JOIN all_edges AS e ON e.source_id = r.id AND e.target_id = r.matched_id
       WHERE r.name = 'big'$$,
    $$VALUES ('create', (SELECT id FROM m WHERE name = 'big'), 'related')$$,
    'an update whose merged content would exceed 1 MiB should create a linked memory instead');
SELECT is((SELECT row_text FROM state WHERE id = (SELECT id FROM m WHERE name = 'big')),
          (SELECT row_text FROM before WHERE id = (SELECT id FROM m WHERE name = 'big')),
    'the large memory should stay untouched');

-- Below 0.70: create, unlinked.
SELECT vestige_test.act_as(vestige_test.user('far'));
INSERT INTO r SELECT 'far', i.* FROM vestige.ingest(p_content => 'something else', p_embedding => '[0.6,0.8,0]',
                                                   p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, matched_id, round(similarity::numeric, 4) FROM r WHERE name = 'far'$$,
    $$VALUES ('create', (SELECT id FROM m WHERE name = 'far'), 0.6000)$$,
    'a match of 0.6 should create a memory and report the nearest neighbour');
SELECT is((SELECT row_text FROM state WHERE id = (SELECT id FROM m WHERE name = 'far'))
              || (SELECT count(*) FROM all_edges WHERE source_id = (SELECT id FROM r WHERE name = 'far')),
          (SELECT row_text FROM before WHERE id = (SELECT id FROM m WHERE name = 'far')) || '0',
    'below 0.70 the neighbour should stay untouched and unlinked');

-- force_create.
SELECT vestige_test.act_as(vestige_test.user('f'));
INSERT INTO r SELECT 'f', i.* FROM vestige.ingest(p_content => 'forced fact', p_embedding => '[1,0,0]',
                                                 p_model_hash => vestige_test.model_hash(), p_force_create => true) AS i;
SELECT results_eq($$SELECT decision, matched_id, id <> matched_id, round(similarity::numeric, 6) FROM r WHERE name = 'f'$$,
    $$VALUES ('create', (SELECT id FROM m WHERE name = 'f'), true, 1.000000)$$,
    'p_force_create should create a new memory even for an identical own memory');
SELECT is((SELECT count(*) FROM all_nodes WHERE owner_user_id = vestige_test.user('f'))
              + (SELECT count(*) FROM all_edges WHERE source_id = (SELECT id FROM r WHERE name = 'f')), 2::bigint,
    'p_force_create should leave two memories and link nothing');
SELECT is((SELECT row_text FROM state WHERE id = (SELECT id FROM m WHERE name = 'f')),
          (SELECT row_text FROM before WHERE id = (SELECT id FROM m WHERE name = 'f')),
    'p_force_create should leave the identical memory untouched');

-- Two ingests in a row (a batch): the second sees the first.
SELECT vestige_test.act_as(vestige_test.user('batch'));
INSERT INTO r SELECT 'batch 1', i.* FROM vestige.ingest(p_content => 'batch item', p_embedding => '[0.3,0.3,0.9]',
                                                       p_model_hash => vestige_test.model_hash()) AS i;
INSERT INTO r SELECT 'batch 2', i.* FROM vestige.ingest(p_content => 'batch item', p_embedding => '[0.3,0.3,0.9]',
                                                       p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, id FROM r WHERE name IN ('batch 1', 'batch 2') ORDER BY name$$,
    $$SELECT 'create', id FROM r WHERE name = 'batch 1' UNION ALL SELECT 'reinforce', id FROM r WHERE name = 'batch 1'$$,
    'the same item ingested twice in one transaction should be created, then reinforced');

-- p_after: the memory before this one in a batch links to where this one ended (temporal, weight 1).
INSERT INTO r SELECT 'batch 3', i.* FROM vestige.ingest(p_content => 'second batch item', p_embedding => '[0,1,0]',
                                                       p_model_hash => vestige_test.model_hash(),
                                                       p_after => (SELECT id FROM r WHERE name = 'batch 1')) AS i;
SELECT results_eq(
    $$SELECT e.edge_type, e.weight FROM all_edges AS e
       WHERE e.source_id = (SELECT id FROM r WHERE name = 'batch 1') AND e.target_id = (SELECT id FROM r WHERE name = 'batch 3')$$,
    $$VALUES ('temporal', 1.0::double precision)$$,
    'p_after should link the previous memory of the batch to the new one by a temporal edge of weight 1');
INSERT INTO r SELECT 'batch 4', i.* FROM vestige.ingest(p_content => 'second batch item', p_embedding => '[0,1,0]',
                                                       p_model_hash => vestige_test.model_hash(),
                                                       p_after => (SELECT id FROM r WHERE name = 'batch 3')) AS i;
SELECT results_eq($$SELECT decision, id FROM r WHERE name = 'batch 4'$$, $$SELECT 'reinforce', id FROM r WHERE name = 'batch 3'$$,
    'an item that reinforces the previous one of its batch should end in that memory');
SELECT is((SELECT count(*) FROM all_edges WHERE source_id = (SELECT id FROM r WHERE name = 'batch 3')), 0::bigint,
    'a memory should never be linked to itself through p_after');
INSERT INTO r SELECT 'batch 5', i.* FROM vestige.ingest(p_content => 'third batch item', p_embedding => '[1,0,0]',
                                                       p_model_hash => vestige_test.model_hash(),
                                                       p_after => (SELECT id FROM r WHERE name = 'batch 3')) AS i;
SELECT results_eq(
    $$SELECT e.source_id, e.edge_type FROM all_edges AS e WHERE e.target_id = (SELECT id FROM r WHERE name = 'batch 5')$$,
    $$SELECT id, 'temporal' FROM r WHERE name = 'batch 3'$$,
    'each item should be linked to the one before it, in order');
SELECT vestige_test.snapshot();
SELECT throws_ok(
    format($$SELECT * FROM vestige.ingest(p_content => 'after a stranger', p_embedding => '[0,0,1]',
                                          p_model_hash => vestige_test.model_hash(), p_after => %L)$$,
           (SELECT id FROM m WHERE name = 'k5')),
    'VS008', NULL, 'p_after naming another user''s private memory should raise VS008, as for a missing one');
SELECT throws_ok(
    format($$SELECT * FROM vestige.ingest(p_content => 'after a public one', p_embedding => '[0,0,1]',
                                          p_model_hash => vestige_test.model_hash(), p_after => %L)$$,
           (SELECT id FROM m WHERE name = 'pub')),
    'VS009', NULL, 'p_after naming another user''s public memory should raise VS009: only an own memory links');
SELECT is(vestige_test.changed(), 0::bigint, 'an ingest refused for its p_after should write nothing');

-- The same text again reinforces the memory it repeats, even where the vector index would not
-- find it (here: another vector, cosine 0, as a missed approximate walk would leave it).
SELECT vestige_test.act_as(vestige_test.user('same'));
INSERT INTO r SELECT 'same 1', i.* FROM vestige.ingest(p_content => 'The build box has 32 GB RAM', p_embedding => '[1,0,0]',
                                                      p_model_hash => vestige_test.model_hash()) AS i;
INSERT INTO r SELECT 'same 2', i.* FROM vestige.ingest(p_content => 'The build box has 32 GB RAM', p_embedding => '[0,1,0]',
                                                      p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq($$SELECT decision, id, matched_id FROM r WHERE name = 'same 2'$$,
                  $$SELECT 'reinforce', id, id FROM r WHERE name = 'same 1'$$,
                  'the same text again should reinforce its memory, whatever the vectors say');
SELECT is((SELECT count(*)::int FROM all_nodes WHERE content = 'The build box has 32 GB RAM'), 1,
          'the same text twice should be one memory');
INSERT INTO r SELECT 'same 3', i.* FROM vestige.ingest(p_content => 'The build box has 32 GB RAM', p_embedding => '[0,1,0]',
                                                      p_model_hash => vestige_test.model_hash(), p_force_create => true) AS i;
SELECT is((SELECT decision FROM r WHERE name = 'same 3'), 'create', 'p_force_create should still create a second copy');

-- Event time: p_valid_from (when it happened or became true) and p_valid_until. A new memory gets
-- them, a memory merged into keeps its own, an update is dated by the event time.
RESET ROLE;
INSERT INTO m VALUES
  ('evr', vestige_test.memory(vestige_test.user('evr'), 'The office moved to Lyon', p_embedding => '[1,0,0]')),
  ('evu', vestige_test.memory(vestige_test.user('evu'), 'The cache warms up nightly', p_embedding => '[1,0,0]')),
  ('evw', vestige_test.memory(vestige_test.user('evw'), 'The old event fact', p_embedding => '[1,0,0]'));
UPDATE vestige.knowledge_nodes SET retrieval_strength = 0.5, valid_from = '2020-01-01 00:00:00+00'
 WHERE id IN (SELECT id FROM m WHERE name IN ('evr', 'evu'));
UPDATE vestige.knowledge_nodes SET retrieval_strength = 0.2, valid_from = '2020-01-01 00:00:00+00'
 WHERE id = (SELECT id FROM m WHERE name = 'evw');
SET LOCAL ROLE vestige_app;

SELECT is((SELECT valid_from FROM all_nodes WHERE id = (SELECT id FROM r WHERE name = 'solo')), NULL::timestamptz,
    'without p_valid_from a created memory should have no event time (NULL: when it was stored)');
SELECT vestige_test.act_as(vestige_test.user('ev'));
INSERT INTO r SELECT 'ev', i.* FROM vestige.ingest(p_content => 'We launched the beta in Lisbon', p_embedding => '[0,1,0]',
                                                  p_model_hash => vestige_test.model_hash(),
                                                  p_valid_from => '2023-05-08 13:56:00+00', p_valid_until => '2023-06-01 00:00:00+00') AS i;
SELECT results_eq(
    $$SELECT r.decision, n.valid_from, n.valid_until, n.created_at FROM r JOIN all_nodes AS n ON n.id = r.id WHERE r.name = 'ev'$$,
    $$VALUES ('create', '2023-05-08 13:56:00+00'::timestamptz, '2023-06-01 00:00:00+00'::timestamptz, now())$$,
    'a created memory should store p_valid_from and p_valid_until as its event time, and now as when it was stored');
INSERT INTO r SELECT 'ev future', i.* FROM vestige.ingest(p_content => 'The conference is next spring', p_embedding => '[0,0.6,0.8]',
                                                         p_model_hash => vestige_test.model_hash(),
                                                         p_valid_from => now() + interval '200 days', p_force_create => true) AS i;
SELECT is((SELECT valid_from FROM all_nodes WHERE id = (SELECT id FROM r WHERE name = 'ev future')), now() + interval '200 days',
    'an event time in the future (a planned event) should be stored as given');

SELECT vestige_test.act_as(vestige_test.user('evr'));
INSERT INTO r SELECT 'evr', i.* FROM vestige.ingest(p_content => 'The office moved to Lyon', p_embedding => '[1,0,0]',
                                                   p_model_hash => vestige_test.model_hash(), p_valid_from => '2024-01-01 00:00:00+00') AS i;
SELECT results_eq(
    $$SELECT r.decision, n.valid_from FROM r JOIN all_nodes AS n ON n.id = r.id WHERE r.name = 'evr'$$,
    $$VALUES ('reinforce', '2020-01-01 00:00:00+00'::timestamptz)$$,
    'a reinforced memory should keep its own event time');

SELECT vestige_test.act_as(vestige_test.user('evu'));
INSERT INTO r SELECT 'evu', i.* FROM vestige.ingest(p_content => 'It now warms up at dawn', p_embedding => '[0.8,0.6,0]',
                                                   p_model_hash => vestige_test.model_hash(), p_contradiction => false,
                                                   p_valid_from => '2023-05-08 23:30:00-05') AS i;
SELECT results_eq(
    $$SELECT r.decision, n.content, n.valid_from FROM r JOIN all_nodes AS n ON n.id = r.id WHERE r.name = 'evu'$$,
    $$VALUES ('update', E'The cache warms up nightly\n\n[Updated 2023-05-09] It now warms up at dawn',
              '2020-01-01 00:00:00+00'::timestamptz)$$,
    'an update should be dated by the UTC day of p_valid_from and keep the memory''s own event time');

SELECT vestige_test.act_as(vestige_test.user('evw'));
INSERT INTO r SELECT 'evw', i.* FROM vestige.ingest(p_content => 'The new event fact', p_embedding => '[0.8,0.6,0]',
                                                   p_model_hash => vestige_test.model_hash(), p_contradiction => false,
                                                   p_valid_from => '2024-02-02 00:00:00+00') AS i;
SELECT results_eq(
    $$SELECT r.decision, n.valid_from, o.valid_from, o.valid_until
        FROM r JOIN all_nodes AS n ON n.id = r.id JOIN all_nodes AS o ON o.id = r.matched_id WHERE r.name = 'evw'$$,
    $$VALUES ('supersede', '2024-02-02 00:00:00+00'::timestamptz, '2020-01-01 00:00:00+00'::timestamptz, NULL::timestamptz)$$,
    'a superseding memory should get p_valid_from, and the superseded one keep its own event time');

SELECT vestige_test.snapshot();
SELECT vestige_test.act_as(vestige_test.user('evbad'));
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => 'backwards', p_embedding => '[0,0,1]', p_model_hash => vestige_test.model_hash(),
                                                 p_valid_from => '2024-01-02 00:00:00+00', p_valid_until => '2024-01-01 00:00:00+00')$$,
    'VS006', NULL, 'p_valid_until before p_valid_from should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => 'forever', p_embedding => '[0,0,1]', p_model_hash => vestige_test.model_hash(),
                                                 p_valid_from => 'infinity')$$,
    'VS006', NULL, 'an infinite p_valid_from should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => 'far future', p_embedding => '[0,0,1]', p_model_hash => vestige_test.model_hash(),
                                                 p_valid_from => '9999-12-31 23:00:00-05')$$,
    'VS006', NULL, 'a p_valid_from after the year 9999 in UTC should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => 'far past', p_embedding => '[0,0,1]', p_model_hash => vestige_test.model_hash(),
                                                 p_valid_until => '0001-01-01 00:00:00+05')$$,
    'VS006', NULL, 'a p_valid_until before the year 1 in UTC should raise VS006');
SELECT vestige_test.act_as(vestige_test.user('evr'));
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => 'The office moved to Lyon', p_embedding => '[1,0,0]',
                                                 p_model_hash => vestige_test.model_hash(), p_valid_from => '-infinity')$$,
    'VS006', NULL, 'a bad p_valid_from should raise VS006 even where the ingest would reinforce (the same text again)');
SELECT is(vestige_test.changed() + (SELECT count(*) FROM all_nodes WHERE owner_user_id = vestige_test.user('evbad')), 0::bigint,
    'an ingest refused for its event time should write nothing');

-- A batch item's vector in context: the gate compares p_embedding (the text alone), a new memory
-- is stored with p_context_embedding.
RESET ROLE;
SELECT vestige_test.memory(vestige_test.user('ctx'), 'The deploy runs on Fridays', p_embedding => '[1,0,0]');
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('ctx'));
INSERT INTO r SELECT 'ctx', i.* FROM vestige.ingest(p_content => 'Yes, after lunch', p_embedding => '[0,0,1]',
                                                   p_context_embedding => '[0.95,0.31225,0]',
                                                   p_model_hash => vestige_test.model_hash()) AS i;
SELECT results_eq(
    $$SELECT r.decision, round((n.embedding <=> '[0.95,0.31225,0]')::numeric, 6) FROM r JOIN all_nodes AS n ON n.id = r.id WHERE r.name = 'ctx'$$,
    $$VALUES ('create', 0.000000)$$,
    'the gate should compare the text alone (far from every memory: create), the memory should be stored with its vector in context');
SELECT throws_ok($$SELECT * FROM vestige.ingest(p_content => 'bad context', p_embedding => '[0,0,1]', p_context_embedding => '[1,0]',
                                                 p_model_hash => vestige_test.model_hash())$$,
    'VS004', NULL, 'a vector in context of another dimension should raise VS004');

SELECT * FROM finish();
ROLLBACK;
