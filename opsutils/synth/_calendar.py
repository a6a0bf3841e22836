"""Hourly intensity curves that give the world its weekly rhythm, trend and festival peaks.

Times inside the generator are float hours since ``start``. A process with a constant rate in
"operational time" is mapped to calendar time through the inverse of a cumulative intensity, which
keeps per-customer Poisson counts exact while calendar peaks (618, Double 11) appear in the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Calendar", "build_calendar", "FESTIVALS"]

# Relative weekday weights, Monday first, and hour-of-day profile for retail orders.
WEEKDAY = np.array([0.92, 0.90, 0.93, 0.97, 1.05, 1.15, 1.08])
HOURLY = np.array([0.25, 0.12, 0.06, 0.04, 0.04, 0.08, 0.2, 0.45, 0.75, 0.95, 1.1, 1.2,
                   1.35, 1.2, 1.05, 1.0, 1.0, 1.05, 1.15, 1.3, 1.55, 1.65, 1.35, 0.75])
# (name, month, first day, peak day, peak multiplier)
FESTIVALS = (("618", 6, 1, 18, 3.0), ("double11", 10, 20, 11, 5.0))


@dataclass(frozen=True)
class Calendar:
    start: pd.Timestamp
    end: pd.Timestamp  # inclusive last day
    n_hours: int
    hour_ts: np.ndarray  # datetime64[s] of each hour's start

    def cumulative(self, intensity: np.ndarray) -> np.ndarray:
        """Cumulative intensity at hour edges (length n_hours + 1), normalised to mean 1 per hour."""
        w = intensity / intensity.mean()
        return np.concatenate([[0.0], np.cumsum(w)])

    def warp(self, cum: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Map operational times ``u`` (in cumulative-intensity units) to calendar hours."""
        return np.interp(u, cum, np.arange(self.n_hours + 1, dtype=float))

    def unwarp(self, cum: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """Map calendar hours to operational time (inverse of :meth:`warp`)."""
        return np.interp(hours, np.arange(self.n_hours + 1, dtype=float), cum)

    def hours_of(self, ts) -> float:
        return (pd.Timestamp(ts) - self.start) / pd.Timedelta(hours=1)

    def to_timestamps(self, hours: np.ndarray) -> np.ndarray:
        secs = np.floor(np.asarray(hours, dtype=float) * 3600.0).astype("int64")
        return np.datetime64(self.start.to_datetime64(), "s") + secs.astype("timedelta64[s]")


def build_calendar(start: str, end: str) -> tuple[Calendar, dict[str, np.ndarray]]:
    """Return the calendar and the hourly intensity curves used by the generator."""
    s = pd.Timestamp(start).normalize()
    e = pd.Timestamp(end).normalize()
    n_hours = int(((e - s) / pd.Timedelta(hours=1)) + 24)
    hour_ts = (np.datetime64(s.to_datetime64(), "s") + (np.arange(n_hours) * 3600).astype("timedelta64[s]"))
    idx = pd.DatetimeIndex(hour_ts)
    frac = np.arange(n_hours) / n_hours
    base = WEEKDAY[idx.day_of_week] * HOURLY[idx.hour]
    fest = np.ones(n_hours)
    for _, month, first, peak, mult in FESTIVALS:
        for year in range(s.year, e.year + 1):
            lo = pd.Timestamp(year=year, month=month, day=first)
            pk = pd.Timestamp(year=year, month=month + (1 if peak < first else 0), day=peak)
            days = (idx - lo) / pd.Timedelta(days=1)
            span = max((pk - lo).days, 1)
            ramp = np.where((days >= 0) & (days < span), 1 + 0.25 * (mult - 1) * days / span, 1.0)
            on_peak = (idx >= pk) & (idx < pk + pd.Timedelta(days=1))
            fest = fest * np.where(on_peak, mult, ramp)
    orders = base * (1.0 + 0.12 * frac) * fest
    signups = base * (1.0 + 0.9 * frac) * np.sqrt(fest)
    service = HOURLY[idx.hour] ** 0.8 * WEEKDAY[idx.day_of_week]
    touches = base
    cal = Calendar(start=s, end=e, n_hours=n_hours, hour_ts=hour_ts)
    return cal, {"orders": orders, "signups": signups, "service": service, "touches": touches}
