"""Building a model's parts (backbones, policy, aggregator) from config dicts through ``MODELS``."""

from __future__ import annotations

from typing import Any

from ..registry import MODELS


def build_part(cfg: dict | None, default_type: str, interface: type, **from_model) -> Any:
    """The part a config dict names (``type`` defaults to ``default_type``), built with the
    arguments the model fixes (``from_model``) and checked against its ``interface``."""
    cfg = dict(cfg or {})
    cfg.setdefault('type', default_type)
    part = MODELS.build(cfg, default_args=from_model or None)
    if not isinstance(part, interface):
        raise TypeError(f'{cfg["type"]} builds a {type(part).__name__}, not a {interface.__name__}')
    return part
