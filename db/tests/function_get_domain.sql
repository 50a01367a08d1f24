-- pgTAP: vestige.get_domain — one domain without its vector, for any identified caller.
BEGIN;
SELECT plan(9);

-- Fixtures (superuser): the 3-d model, two users, two domains.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
INSERT INTO ids VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob'));
SELECT vestige_test.register_model();
INSERT INTO vestige.domains (id, label, centroid, top_terms, memory_count, metadata) VALUES
    ('databases', 'Databases', '[1,0,0]', '{sql,index}', 5, '{"source": "test"}'),
    ('cooking', 'Cooking', NULL, '{}', 0, '{}');

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('alice'));

SELECT results_eq(
    $$SELECT id, label, has_centroid, top_terms, memory_count, metadata FROM vestige.get_domain(p_id => 'databases')$$,
    $$VALUES ('databases'::text, 'Databases'::text, true, '{sql,index}'::text[], 5, '{"source": "test"}'::jsonb)$$,
    'a domain should be returned with has_centroid instead of the vector');
SELECT results_eq(
    $$SELECT id, has_centroid FROM vestige.get_domain(p_id => 'cooking')$$,
    $$VALUES ('cooking'::text, false)$$,
    'a domain without a centroid should say so');
SELECT ok(
    (SELECT updated_at IS NOT NULL FROM vestige.get_domain(p_id => 'cooking')),
    'a domain should carry its update time');

SELECT vestige_test.act_as(pg_temp.m('bob'));
SELECT results_eq(
    $$SELECT id, label FROM vestige.get_domain(p_id => 'databases')$$,
    $$VALUES ('databases'::text, 'Databases'::text)$$,
    'another user should see the same deployment-wide domain');

SELECT throws_ok($$SELECT * FROM vestige.get_domain(p_id => 'gardening')$$,
                 'VS008', NULL, 'an unknown domain should be reported as not found');
SELECT throws_ok($$SELECT * FROM vestige.get_domain(p_id => 'Data Bases')$$,
                 'VS006', NULL, 'a malformed domain id should be refused');
SELECT throws_ok($$SELECT * FROM vestige.get_domain(p_id => NULL)$$,
                 'VS006', NULL, 'a NULL domain id should be refused');
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT * FROM vestige.get_domain(p_id => 'databases')$$,
                 'VS001', NULL, 'a call without caller identity should be refused');

RESET ROLE;
SELECT volatility_is('vestige', 'get_domain', ARRAY['text'], 'stable', 'get_domain should be STABLE');

SELECT * FROM finish();
ROLLBACK;
