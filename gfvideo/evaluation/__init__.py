"""Evaluation: accuracy metrics (anytime per step for GlanceFocusNet)."""
from .metrics import AccuracyMetric, mean_class_accuracy, topk_accuracy

__all__ = ['AccuracyMetric', 'mean_class_accuracy', 'topk_accuracy']
