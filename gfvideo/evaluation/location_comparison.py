"""Where should the patches go? The learned policy against label-free heuristics and the oracle.

Every location source runs on the same glance of the same clips
(:func:`gfvideo.evaluation.collect_step_logits_many`); per number of focus steps, each gets its
top-1 and, where the benchmark knows its object boxes, its hit rate; where its classes combine
attributes (an object's identity and its direction of motion, say), the share of clips each gets
right in each attribute tells which half of the class a source misses.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

import numpy as np

from ..models import GlanceFocusNet
from ..models.locations import LocationSource
from .adaptive import collect_step_logits_many
from .localization import OracleLocations, step_hit_rates
from .metrics import attribute_accuracy, topk_accuracy

#: The sources every comparison runs, by report name: the learned policy and label-free heuristics.
DEFAULT_SOURCES: dict[str, str | dict | LocationSource] = {
    'learned': 'PolicyMean',
    'random': 'RandomLocations',
    'center': 'CentreLocations',
    'motion': 'MotionPeak',
    'compensated_motion': 'CompensatedMotionPeak',
}


def compare_locations(
    model: GlanceFocusNet,
    loader: Iterable[dict],
    actor_boxes: dict[str, np.ndarray] | None = None,
    progress: Callable | None = None,
    sources: Mapping[str, str | dict | LocationSource] | None = None,
    class_attributes: Mapping[str, Sequence[Hashable]] | None = None,
) -> list[dict]:
    """Top-1 and hit rate after each number of focus steps for each location source: by default
    the learned policy (``learned``), uniform random patches, the frame centre, the
    frame-difference peak (``motion``) and the same with the camera's motion removed
    (``compensated_motion``), and, given ``actor_boxes``, patches centred on the object
    (``oracle``, the upper bound). ``sources`` replaces the defaults (name -> source). One row per
    number of focus steps ``k = 1..K``, with ``{name}_top1`` and ``{name}_hit`` columns.

    ``class_attributes`` (attribute name -> its value for each class, in label order) adds
    ``{name}_{attribute}_top1`` columns: the fraction of clips whose predicted class has the true
    class's value (:func:`~gfvideo.evaluation.metrics.attribute_accuracy`), and
    ``glance_{attribute}_top1``, the glance's alone (step 0, the same in every row).
    """
    chosen: dict[str, str | dict | LocationSource] = dict(DEFAULT_SOURCES if sources is None else sources)
    if actor_boxes is not None:
        chosen['oracle'] = OracleLocations(actor_boxes)
    runs = dict(zip(chosen, collect_step_logits_many(model, loader, list(chosen.values()), progress)))
    hits: dict[str, list[float]] = {}
    if actor_boxes is not None:
        for name, run in runs.items():
            assert run.boxes is not None and run.frame_inds is not None, 'collect_step_logits_many records both'
            hits[name] = step_hit_rates(run.boxes, run.paths, run.frame_inds, run.img_to_video, actor_boxes)
    attributes = dict(class_attributes or {})
    glance = next(iter(runs.values()), None)  # every source runs on the same glance
    glance_columns = {
        f'glance_{attribute}_top1': attribute_accuracy(glance.logits[0], glance.labels, values)
        for attribute, values in attributes.items()
        if glance is not None
    }
    rows = []
    for k in range(1, model.max_focus_steps + 1):
        row: dict[str, float] = dict(focus_steps=k)
        for name, run in runs.items():
            row[f'{name}_top1'] = topk_accuracy(run.logits[k], run.labels, 1)
            if hits:
                row[f'{name}_hit'] = hits[name][k - 1]
        row.update(glance_columns)
        for attribute, values in attributes.items():
            for name, run in runs.items():
                row[f'{name}_{attribute}_top1'] = attribute_accuracy(run.logits[k], run.labels, values)
        rows.append(row)
    return rows
