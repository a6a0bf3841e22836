"""Exercises for chapter 3, notebook 2: funnels and friction (being written)."""

from __future__ import annotations

__all__: list[str] = []
