"""Exercises for chapter 6, notebook 4: ROI and the optimisation loop (being written)."""

from __future__ import annotations

__all__: list[str] = []
