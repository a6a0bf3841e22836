"""Exercises for chapter 6, notebook 1: KPI system and monitoring (being written)."""

from __future__ import annotations

__all__: list[str] = []
