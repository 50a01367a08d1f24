"""The web dashboard of `vestige serve`: pages over the same Client calls as the tools (pages.py)."""
