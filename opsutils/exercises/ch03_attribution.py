"""Exercises for chapter 3, notebook 3: multi-touch attribution (being written)."""

from __future__ import annotations

__all__: list[str] = []
