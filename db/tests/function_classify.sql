-- pgTAP: vestige.classify — domains ranked by cosine similarity of their centroid to a vector.
BEGIN;
SELECT plan(16);

-- Fixtures (superuser): two users; the model is registered after the first check.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
INSERT INTO ids VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob'));

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('alice'));
SELECT throws_ok($$SELECT * FROM vestige.classify(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS002', NULL, 'classify should refuse a vector while no model is registered');

RESET ROLE;
SELECT vestige_test.register_model();
INSERT INTO vestige.domains (id, label, centroid) VALUES
    ('x', 'Axis x', '[1,0,0]'),
    ('xy', 'Diagonal xy', '[1,1,0]'),
    ('y', 'Axis y', '[0,1,0]'),
    ('z', 'Axis z', '[0,0,1]'),
    ('none', 'No centroid', NULL);
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('alice'));

-- v = [1, 0.2, 0]: cos(x) = 1/sqrt(1.04), cos(xy) = 1.2/sqrt(2.08), cos(y) = 0.2/sqrt(1.04), cos(z) = 0.
SELECT results_eq(
    $$SELECT domain_id, label, round(similarity::numeric, 6)
        FROM vestige.classify(p_embedding => '[1,0.2,0]', p_model_hash => vestige_test.model_hash())$$,
    $$VALUES ('x'::text, 'Axis x'::text, round(1 / sqrt(1.04), 6)),
             ('xy', 'Diagonal xy', round(1.2 / sqrt(2.08), 6)),
             ('y', 'Axis y', round(0.2 / sqrt(1.04), 6))$$,
    'the three most similar domains should be returned by default, best first, with 1 - cosine distance');
SELECT results_eq(
    $$SELECT domain_id, round(similarity::numeric, 6)
        FROM vestige.classify(p_embedding => '[1,0.2,0]', p_model_hash => vestige_test.model_hash(), p_limit => 10)$$,
    $$VALUES ('x'::text, round(1 / sqrt(1.04), 6)), ('xy', round(1.2 / sqrt(2.08), 6)),
             ('y', round(0.2 / sqrt(1.04), 6)), ('z', 0.000000)$$,
    'every domain with a centroid should be ranked, and a domain without one left out');
SELECT results_eq(
    $$SELECT domain_id, round(similarity::numeric, 6)
        FROM vestige.classify(p_embedding => '[2,2,0]', p_model_hash => vestige_test.model_hash(), p_limit => 3)$$,
    $$VALUES ('xy'::text, 1.000000), ('x', round(1 / sqrt(2::numeric), 6)), ('y', round(1 / sqrt(2::numeric), 6))$$,
    'similarity should ignore the length of the vector, and ties should be ordered by id');
SELECT results_eq(
    $$SELECT domain_id FROM vestige.classify(p_embedding => '[0,0,5]', p_model_hash => vestige_test.model_hash(), p_limit => 1)$$,
    $$VALUES ('z'::text)$$,
    'p_limit 1 should return the single nearest domain');
SELECT results_eq(
    $$SELECT domain_id, round(similarity::numeric, 6)
        FROM vestige.classify(p_embedding => '[-1,0,0]', p_model_hash => vestige_test.model_hash(), p_limit => 1)$$,
    $$VALUES ('y'::text, 0.000000)$$,
    'an opposite vector should give negative similarities, so an orthogonal domain ranks first');

SELECT vestige_test.act_as(pg_temp.m('bob'));
SELECT results_eq(
    $$SELECT domain_id FROM vestige.classify(p_embedding => '[1,0.2,0]', p_model_hash => vestige_test.model_hash())$$,
    $$VALUES ('x'::text), ('xy'), ('y')$$,
    'another user should get the same deployment-wide ranking');

-- Bad input.
SELECT throws_ok($$SELECT * FROM vestige.classify(p_embedding => NULL, p_model_hash => vestige_test.model_hash())$$,
                 'VS006', NULL, 'a NULL vector should be refused');
SELECT throws_ok($$SELECT * FROM vestige.classify(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(), p_limit => 0)$$,
                 'VS006', NULL, 'limit 0 should be refused');
SELECT throws_ok($$SELECT * FROM vestige.classify(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(), p_limit => NULL)$$,
                 'VS006', NULL, 'a NULL limit should be refused');
SELECT throws_ok($$SELECT * FROM vestige.classify(p_embedding => '[1,0,0]', p_model_hash => repeat('b', 64))$$,
                 'VS003', NULL, 'a vector of another model should be refused');
SELECT throws_ok($$SELECT * FROM vestige.classify(p_embedding => '[1,0,0]', p_model_hash => NULL)$$,
                 'VS003', NULL, 'a vector without a model hash should be refused');
SELECT throws_ok($$SELECT * FROM vestige.classify(p_embedding => '[1,0,0,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS004', NULL, 'a vector of the wrong dimension should be refused');
SELECT throws_ok($$SELECT * FROM vestige.classify(p_embedding => '[0,0,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS007', NULL, 'a zero vector should be refused');
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT * FROM vestige.classify(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS001', NULL, 'a call without caller identity should be refused');

RESET ROLE;
SELECT volatility_is('vestige', 'classify', ARRAY['vector', 'text', 'integer'], 'stable', 'classify should be STABLE');

SELECT * FROM finish();
ROLLBACK;
