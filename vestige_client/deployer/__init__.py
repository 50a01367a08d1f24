"""The deployer: Sqitch re-implemented for `vestige db deploy`, `verify` and the client's start.

`deploy.py` reads the plan and applies it; `statements.py` holds what it writes to Sqitch's
registry; `registry.sql` creates that registry as Sqitch 1.3.1 does.
"""
