"""The budget curve's points the demo reports: the cheapest one matching the baseline, the best one."""

from __future__ import annotations

#: How far below the baseline's top-1 a point may be and still reach it: half a point, two clips
#: of the demo's 400 (a baseline at 100% leaves no room above it).
REACH_TOLERANCE = 0.005


def matched_point(curve: dict) -> dict | None:
    """The cheapest budget point that reaches the baseline's top-1 (within :data:`REACH_TOLERANCE`)."""
    points = sorted(curve['points'], key=lambda p: p['mean_gmacs'])
    return next((p for p in points if p['top1'] >= curve['baseline']['top1'] - REACH_TOLERANCE - 1e-9), None)


def best_point(curve: dict) -> dict:
    """The most accurate budget point (the cheaper one on a tie)."""
    return max(curve['points'], key=lambda p: (p['top1'], -p['mean_gmacs']))
