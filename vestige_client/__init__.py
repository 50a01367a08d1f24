"""Vestige for Postgres: long-term memory for AI assistants, with the database as the engine."""

from __future__ import annotations

__version__ = "0.1.0"
