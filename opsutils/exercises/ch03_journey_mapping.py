"""Exercises for chapter 3, notebook 1: journey mapping (being written)."""

from __future__ import annotations

__all__: list[str] = []
