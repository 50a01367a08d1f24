"""`vestige serve`: the team server over HTTP (MCP at /mcp, REST under /api/v1/), see app.py."""
