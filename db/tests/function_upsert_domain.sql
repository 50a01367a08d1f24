-- pgTAP: vestige.upsert_domain — create, update with NULL keeping values, centroid checks, bad input.
BEGIN;
SELECT plan(27);

-- Fixtures (superuser): two users; no model registered yet.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
INSERT INTO ids VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob'));

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('alice'));

SELECT throws_ok(
    $$SELECT * FROM vestige.upsert_domain(p_id => 'databases', p_label => 'Databases', p_centroid => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
    'VS002', NULL, 'a centroid should be refused while no model is registered');

RESET ROLE;
SELECT vestige_test.register_model();
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('alice'));

SELECT results_eq(
    $$SELECT id, label, has_centroid, top_terms, memory_count, metadata
        FROM vestige.upsert_domain(p_id => 'databases', p_label => 'Databases', p_centroid => '[1,0,0]',
                                   p_model_hash => vestige_test.model_hash(), p_top_terms => '{sql,index}',
                                   p_memory_count => 5, p_metadata => '{"source": "test"}')$$,
    $$VALUES ('databases'::text, 'Databases'::text, true, '{sql,index}'::text[], 5, '{"source": "test"}'::jsonb)$$,
    'a new domain should be created with every field and returned with has_centroid instead of the vector');
SELECT results_eq(
    $$SELECT id, label, has_centroid, top_terms, memory_count, metadata
        FROM vestige.upsert_domain(p_id => 'cooking', p_label => 'Cooking')$$,
    $$VALUES ('cooking'::text, 'Cooking'::text, false, '{}'::text[], 0, '{}'::jsonb)$$,
    'a domain created with a label only should get the defaults and no centroid');
SELECT results_eq(
    $$SELECT id, label, has_centroid, top_terms, memory_count, metadata
        FROM vestige.upsert_domain(p_id => 'databases', p_label => 'Data stores')$$,
    $$VALUES ('databases'::text, 'Data stores'::text, true, '{sql,index}'::text[], 5, '{"source": "test"}'::jsonb)$$,
    'an update with a new label should keep every field passed as NULL');
SELECT results_eq(
    $$SELECT label, memory_count, top_terms FROM vestige.upsert_domain(p_id => 'databases', p_label => NULL, p_memory_count => 7)$$,
    $$VALUES ('Data stores'::text, 7, '{sql,index}'::text[])$$,
    'an update with a NULL label should keep the label and change the count');
SELECT results_eq(
    $$SELECT has_centroid, metadata FROM vestige.upsert_domain(p_id => 'cooking', p_label => NULL, p_centroid => '[0,1,0]',
                                                                p_model_hash => vestige_test.model_hash(), p_metadata => '{"v": 2}')$$,
    $$VALUES (true, '{"v": 2}'::jsonb)$$,
    'an update should add a centroid and replace the metadata');

-- Domains are deployment-wide: another user updates the same row.
SELECT vestige_test.act_as(pg_temp.m('bob'));
SELECT results_eq(
    $$SELECT label, top_terms FROM vestige.upsert_domain(p_id => 'cooking', p_label => NULL, p_top_terms => '{pasta,bread}')$$,
    $$VALUES ('Cooking'::text, '{pasta,bread}'::text[])$$,
    'another user should update the same deployment-wide domain');

-- Bad input.
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => 'Bad Id', p_label => 'Bad')$$,
                 'VS006', NULL, 'an id with capitals and a space should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => '-lead', p_label => 'Bad')$$,
                 'VS006', NULL, 'an id starting with a dash should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => repeat('a', 65), p_label => 'Bad')$$,
                 'VS006', NULL, 'an id longer than 64 characters should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => NULL, p_label => 'Bad')$$,
                 'VS006', NULL, 'a NULL id should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => 'cooking', p_label => '   ')$$,
                 'VS006', NULL, 'a blank label should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => 'gardening', p_label => NULL)$$,
                 'VS006', NULL, 'a new domain without a label should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => 'cooking', p_label => NULL, p_memory_count => -1)$$,
                 'VS006', NULL, 'a negative memory count should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => 'cooking', p_label => NULL, p_metadata => '[1, 2]')$$,
                 'VS006', NULL, 'metadata that is not a JSON object should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => 'cooking', p_label => NULL, p_top_terms => ARRAY['pasta', NULL])$$,
                 'VS006', NULL, 'a NULL top term should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => 'cooking', p_label => NULL, p_centroid => '[1,0,0]', p_model_hash => repeat('b', 64))$$,
                 'VS003', NULL, 'a centroid of another model should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => 'cooking', p_label => NULL, p_centroid => '[1,0,0]')$$,
                 'VS003', NULL, 'a centroid without a model hash should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => 'cooking', p_label => NULL, p_centroid => '[1,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS004', NULL, 'a centroid of the wrong dimension should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => 'cooking', p_label => NULL, p_centroid => '[0,0,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS007', NULL, 'a zero centroid should be refused');
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => 'gardening', p_label => 'Gardening', p_centroid => '[0,0,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS007', NULL, 'a new domain with a zero centroid should be refused');
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT * FROM vestige.upsert_domain(p_id => 'gardening', p_label => 'Gardening')$$,
                 'VS001', NULL, 'a call without caller identity should be refused');

RESET ROLE;
SELECT results_eq(
    $$SELECT id, label, centroid::text, top_terms, memory_count, metadata FROM vestige.domains ORDER BY id$$,
    $$VALUES ('cooking'::text, 'Cooking'::text, '[0,1,0]'::text, '{pasta,bread}'::text[], 0, '{"v": 2}'::jsonb),
             ('databases', 'Data stores', '[1,0,0]', '{sql,index}', 7, '{"source": "test"}')$$,
    'the domains table should hold the successful writes only: the refused calls changed nothing');
SELECT ok(
    (SELECT updated_at FROM vestige.domains WHERE id = 'cooking') IS NOT NULL,
    'a domain should carry its update time');
SELECT is(
    (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute AS a
      WHERE a.attrelid = 'vestige.domains'::regclass AND a.attname = 'centroid'),
    'vector(3)', 'centroids should be stored in the registered model''s vector type');
SELECT volatility_is('vestige', 'upsert_domain', ARRAY['text', 'text', 'vector', 'text', 'text[]', 'integer', 'jsonb'], 'volatile',
                     'upsert_domain should be VOLATILE');
SELECT is_definer('vestige', 'upsert_domain', ARRAY['text', 'text', 'vector', 'text', 'text[]', 'integer', 'jsonb'],
                  'upsert_domain should be SECURITY DEFINER, since domains have no table grants');

SELECT * FROM finish();
ROLLBACK;
