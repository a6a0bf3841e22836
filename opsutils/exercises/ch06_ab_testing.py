"""Exercises for chapter 6, notebook 2: A/B testing (being written)."""

from __future__ import annotations

__all__: list[str] = []
