"""The reliability suite: generated MCP calls, a crowd of processes, and servers killed mid-batch."""
