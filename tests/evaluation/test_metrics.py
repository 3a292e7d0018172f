"""Accuracy metrics against small cases computed by hand: top-k, mean-class accuracy (over the
classes present), the confusion matrix, and AccuracyMetric for TSM and per-step scores."""

import csv

import numpy as np
import pytest
import torch

from gfvideo.evaluation import (
    AccuracyMetric,
    attribute_accuracy,
    confusion_matrix,
    mean_class_accuracy,
    topk_accuracy,
)


def one_hot(predictions: list[int], num_classes: int) -> np.ndarray:
    """Scores whose top class is each prediction."""
    return np.eye(num_classes)[predictions] * 0.7 + 0.1


def test_topk_accuracy_counts_a_label_among_the_k_highest_scores():
    scores = np.array(
        [
            [0.1, 0.7, 0.2],  # label 1: first
            [0.5, 0.3, 0.2],  # label 1: second
            [0.2, 0.3, 0.5],  # label 0: third
            [0.6, 0.1, 0.3],
        ]
    )  # label 0: first
    labels = np.array([1, 1, 0, 0])
    assert [topk_accuracy(scores, labels, k) for k in (1, 2, 3)] == [0.5, 0.75, 1.0]
    tied = np.array([[0.4, 0.4, 0.2]] * 2)  # a tie inside the top 2 counts whichever way it is broken
    assert topk_accuracy(tied, np.array([0, 1]), 2) == 1.0 and topk_accuracy(tied, np.array([2, 2]), 2) == 0.0


def test_mean_class_accuracy_averages_over_the_classes_present_only():
    labels = np.array([0, 0, 0, 1, 2, 2])
    scores = one_hot([0, 0, 1, 1, 3, 2], 4)  # class 3 is predicted once but is no clip's label
    assert mean_class_accuracy(scores, labels) == pytest.approx((2 / 3 + 1 + 1 / 2) / 3)
    assert topk_accuracy(scores, labels, 1) == pytest.approx(4 / 6)  # not the same figure
    tied = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]])  # a tied top score goes to the lower class
    assert mean_class_accuracy(tied, np.array([0, 1])) == 0.5


def test_attribute_accuracy_counts_a_wrong_class_with_the_true_classs_attribute():
    # four classes: (striped, left), (striped, up), (dotted, left), (dotted, up)
    identity, direction = ['striped', 'striped', 'dotted', 'dotted'], ['left', 'up', 'left', 'up']
    labels = np.array([0, 0, 1, 3])
    scores = one_hot([0, 2, 0, 0], 4)  # right; right direction only; right identity only; neither
    assert topk_accuracy(scores, labels, 1) == 0.25
    assert attribute_accuracy(scores, labels, identity) == 0.5
    assert attribute_accuracy(scores, labels, direction) == 0.5
    with pytest.raises(ValueError, match='names 3 classes, the scores 4'):
        attribute_accuracy(scores, labels, direction[:3])


def test_confusion_matrix_rows_are_true_classes_and_columns_predictions():
    matrix = confusion_matrix(np.array([0, 0, 1, 1, 3, 2]), np.array([0, 0, 0, 1, 2, 2]), 4)
    assert matrix.dtype == np.int64
    assert matrix.tolist() == [[2, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0]]  # class 3: no clip, an empty row


def _evaluate(metric: AccuracyMetric, samples: list[dict]) -> dict:
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def test_accuracy_metric_on_a_recognizers_scores():
    metric = AccuracyMetric()
    metric.dataset_meta = {'classes': ('a', 'b', 'c')}
    samples = [
        {'scores': torch.tensor(row, dtype=torch.bfloat16), 'label': torch.tensor(label)}
        for row, label in zip(one_hot([0, 2, 1, 1], 3).tolist(), [0, 1, 1, 2])
    ]
    metrics = _evaluate(metric, samples)
    assert set(metrics) == {'top1', 'top5', 'mean_class_accuracy'}  # no per-step figures
    assert metrics['top1'] == 0.5 and metrics['top5'] == 1.0  # 3 classes: the top 5 holds them all
    assert metrics['mean_class_accuracy'] == pytest.approx((1 + 1 / 2 + 0) / 3)


def test_accuracy_metric_reports_every_step_and_the_last_as_the_result(tmp_path):
    step_scores = [one_hot([1, 0], 3), one_hot([0, 0], 3), one_hot([2, 1], 3)]  # per clip: (steps, classes)
    samples = [
        {'step_scores': torch.tensor(scores, dtype=torch.float32), 'label': label, 'step_gmacs': [0.1, 0.6]}
        for scores, label in zip(step_scores, [0, 0, 1])
    ]
    metric = AccuracyMetric(confusion_file=str(tmp_path / 'confusion.csv'))
    metric.dataset_meta = {'classes': ('left', 'right', 'up')}
    metrics = _evaluate(metric, samples)
    assert metrics['step0_top1'] == pytest.approx(1 / 3) and metrics['step1_top1'] == 1.0
    assert (metrics['step0_gmacs'], metrics['step1_gmacs']) == (0.1, 0.6)
    assert metrics['top1'] == metrics['step1_top1'] and metrics['top5'] == metrics['step1_top5'] == 1.0
    assert metrics['mean_class_accuracy'] == 1.0  # classes 0 and 1; 'up' has no clip
    rows = list(csv.reader(open(tmp_path / 'confusion.csv')))
    assert rows == [
        ['true \\ predicted', 'left', 'right', 'up'],
        ['left', '2', '0', '0'],
        ['right', '0', '1', '0'],
        ['up', '0', '0', '0'],
    ]
