-- pgTAP: vestige.list_domains — every domain by id, without vectors, for any identified caller.
BEGIN;
SELECT plan(6);

-- Fixtures (superuser): the 3-d model and two users; domains come after the empty case.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
INSERT INTO ids VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob'));
SELECT vestige_test.register_model();

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('alice'));
SELECT is_empty($$SELECT * FROM vestige.list_domains()$$, 'no domains should give an empty list');

RESET ROLE;
INSERT INTO vestige.domains (id, label, centroid, top_terms, memory_count) VALUES
    ('zoology', 'Zoology', '[0,0,1]', '{cat}', 2),
    ('art', 'Art', NULL, '{}', 0),
    ('m.sic-1', 'Music', '[0,1,0]', '{jazz,blues}', 9);
SET LOCAL ROLE vestige_app;

SELECT vestige_test.act_as(pg_temp.m('alice'));
SELECT results_eq(
    $$SELECT id, label, has_centroid, top_terms, memory_count FROM vestige.list_domains()$$,
    $$VALUES ('art'::text, 'Art'::text, false, '{}'::text[], 0),
             ('m.sic-1', 'Music', true, '{jazz,blues}', 9),
             ('zoology', 'Zoology', true, '{cat}', 2)$$,
    'every domain should be listed, ordered by id, with has_centroid instead of the vector');

SELECT vestige_test.act_as(pg_temp.m('bob'));
SELECT results_eq(
    $$SELECT id FROM vestige.list_domains()$$,
    $$VALUES ('art'::text), ('m.sic-1'), ('zoology')$$,
    'another user should see the same deployment-wide list');

SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT * FROM vestige.list_domains()$$,
                 'VS001', NULL, 'a call without caller identity should be refused');

RESET ROLE;
SELECT volatility_is('vestige', 'list_domains', ARRAY[]::text[], 'stable', 'list_domains should be STABLE');
SELECT is((SELECT count(*)::int FROM vestige.domains), 3, 'listing should change nothing');

SELECT * FROM finish();
ROLLBACK;
