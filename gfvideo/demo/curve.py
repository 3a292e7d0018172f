"""The budget curve's points the demo reports: the cheapest one matching the baseline, the best one."""

from __future__ import annotations


def matched_point(curve: dict) -> dict | None:
    """The cheapest budget point at least as accurate as the baseline."""
    points = sorted(curve['points'], key=lambda p: p['mean_gmacs'])
    return next((p for p in points if p['top1'] >= curve['baseline']['top1']), None)


def best_point(curve: dict) -> dict:
    """The most accurate budget point (the cheaper one on a tie)."""
    return max(curve['points'], key=lambda p: (p['top1'], -p['mean_gmacs']))
