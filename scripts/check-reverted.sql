-- After `sqitch revert -y`: nothing of ours may be left but the cluster-wide roles (and Sqitch's
-- own registry schema). Raises when something is.
DO $$
DECLARE
    v_left text;
BEGIN
    SELECT string_agg(what, ', ') INTO v_left FROM (
        SELECT 'schema ' || nspname AS what FROM pg_namespace WHERE nspname = 'vestige'
        UNION ALL
        SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc AS p
          JOIN pg_namespace AS n ON n.oid = p.pronamespace WHERE n.nspname = 'vestige'
        UNION ALL
        SELECT 'default privileges of vestige_owner' FROM pg_default_acl
         WHERE defaclrole = 'vestige_owner'::regrole
        UNION ALL
        SELECT 'extension vector' FROM pg_extension WHERE extname = 'vector'
    ) AS leftovers;
    IF v_left IS NOT NULL THEN
        RAISE EXCEPTION 'revert left objects behind: %', v_left;
    END IF;
    ASSERT (SELECT count(*) FROM pg_roles WHERE rolname IN ('vestige_owner', 'vestige_app')) = 2,
        'the roles vestige_owner and vestige_app should stay after revert';
END
$$;
