"""Exercises for chapter 3, notebook 4: lifecycle and cohorts (being written)."""

from __future__ import annotations

__all__: list[str] = []
