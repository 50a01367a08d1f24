-- Deploy vestige:function_reembed_lock
-- The lock of the last catch-up pass before a switch: the model lock exclusively (vector reads
-- and writes wait at vestige.check_embedding) and the memories in SHARE mode (writes without a
-- vector wait too; reads go on). Held to the end of the transaction, which switches.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.reembed_lock()
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
BEGIN
    PERFORM vestige.model_lock(true);
    LOCK TABLE vestige.knowledge_nodes IN SHARE MODE;
END
$$;

COMMENT ON FUNCTION vestige.reembed_lock() IS
'Operator function (reembed; vestige_app may not): take the model lock exclusively and lock vestige.knowledge_nodes in SHARE mode (no writes, reads go on) to the end of the transaction, so the last catch-up pass sees every memory that will exist at the switch. Set lock_timeout first: the waits are bounded by it.';

COMMIT;
