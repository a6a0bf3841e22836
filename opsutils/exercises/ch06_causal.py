"""Exercises for chapter 6, notebook 3: causal evaluation without randomisation (being written)."""

from __future__ import annotations

__all__: list[str] = []
