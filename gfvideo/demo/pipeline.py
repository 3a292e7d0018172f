"""The demo's steps, from writing the synthetic benchmark to the report, and :func:`run_demo`."""

from __future__ import annotations

import json
import os
from typing import cast

import numpy as np
import torch
from mmengine.config import Config

from ..apis import eval_loader, load_config, load_model
from ..evaluation import compare_locations, interleaved_timings, read_actor_boxes
from ..fileio import atomic_write_json, atomic_write_lines
from ..models import TSM, GlanceFocusNet
from .curve import best_point, matched_point
from .recipes import (
    EVAL_BATCH,
    GFNET_CONFIG,
    SIZES,
    STAGE3_CONFIG,
    TSM_CONFIG,
    baseline_epochs,
    data_options,
    data_overrides,
    epoch_options,
    quick_options,
)
from .report import follow_up_commands, headline, print_headline, write_report
from .scripts import ToolRunner
from .steps import Steps


def make_data(log: str, tools: ToolRunner, data: str, sizes: dict[str, int], seed: int) -> dict:
    """Write the benchmark and its lists, holding out a calibration slice of the training list."""
    tools(
        log,
        'make_synthetic.py',
        '--layout',
        'sthv2',
        '--out',
        data,
        '--num-train',
        str(sizes['train']),
        '--num-val',
        str(sizes['val']),
        '--seed',
        str(seed),
    )
    lists = os.path.join(data, 'lists')
    tools(
        log,
        'build_lists.py',
        'sthv2',
        '--annotations',
        os.path.join(data, 'annotations'),
        '--media-root',
        data,
        '--out',
        lists,
    )
    with open(os.path.join(lists, 'train.txt'), encoding='utf-8') as file:
        lines = file.read().splitlines()
    held_out = set(np.random.default_rng(seed).permutation(len(lines))[: sizes['calib']].tolist())
    calib = [line for index, line in enumerate(lines) if index in held_out]
    train_fit = [line for index, line in enumerate(lines) if index not in held_out]
    atomic_write_lines(os.path.join(lists, 'calib.txt'), calib)
    atomic_write_lines(os.path.join(lists, 'train_fit.txt'), train_fit)
    return dict(train=len(lines) - len(held_out), calib=len(held_out), val=sizes['val'])


def train_baseline(log: str, tools: ToolRunner, out: str, data: str, sizes: dict[str, int], seed: int) -> dict:
    work = os.path.join(out, 'train', 'tsm_baseline')
    epochs = baseline_epochs(sizes)
    tools(
        log,
        'train.py',
        TSM_CONFIG,
        '--work-dir',
        work,
        '--resume',
        '--seed',
        str(seed),
        '--cfg-options',
        *data_options(data),
        *quick_options(sizes),
        *epoch_options(epochs),
    )
    with open(os.path.join(work, 'last_checkpoint'), encoding='utf-8') as file:
        return dict(checkpoint=file.read().strip(), epochs=epochs)


def train_gfnet(log: str, tools: ToolRunner, out: str, data: str, sizes: dict[str, int], seed: int) -> dict:
    work = os.path.join(out, 'train', 'gfnet')
    options = data_options(data) + quick_options(sizes)  # train_all passes the options to every stage
    tools(log, 'train_all.py', GFNET_CONFIG, '--work-dir', work, '--seed', str(seed), '--cfg-options', *options)
    with open(os.path.join(work, 'stage3', 'last_checkpoint'), encoding='utf-8') as file:
        return dict(checkpoint=file.read().strip())


def evaluate_budgets(log: str, tools: ToolRunner, out: str, data: str, gfnet: dict, baseline: dict, seed: int) -> dict:
    budget = os.path.join(out, 'budget')
    tools(
        log,
        'evaluate_budget.py',
        STAGE3_CONFIG,
        gfnet['checkpoint'],
        '--out',
        budget,
        '--calib-list',
        os.path.join(data, 'lists', 'calib.txt'),
        '--baseline',
        TSM_CONFIG,
        baseline['checkpoint'],
        '--batch-size',
        str(EVAL_BATCH),
        '--workers',
        '0',
        '--num-points',
        '8',
        '--seed',
        str(seed),
        '--cfg-options',
        *data_options(data),
    )
    with open(os.path.join(budget, 'budget_curve.json'), encoding='utf-8') as file:
        return json.load(file)


def _stage3_model(data: str, gfnet: dict) -> tuple[Config, GlanceFocusNet]:
    cfg = load_config(STAGE3_CONFIG, data_overrides(data))
    return cfg, cast(GlanceFocusNet, load_model(cfg, gfnet['checkpoint']))


def compare_policies(log: str, data: str, gfnet: dict) -> list[dict]:
    """Top-1 and hit rate after k focus steps: learned, random, centre, motion-peak and oracle
    patches (the actor boxes serve this measurement only)."""
    cfg, model = _stage3_model(data, gfnet)
    actor_boxes = read_actor_boxes(os.path.join(data, 'annotations', 'actor_boxes.json'))
    rows = compare_locations(model, eval_loader(cfg, batch_size=EVAL_BATCH, workers=0), actor_boxes)
    atomic_write_lines(log, [json.dumps(row) for row in rows])
    return rows


def time_models(log: str, data: str, gfnet: dict, baseline: dict, curve: dict, repeats: int) -> dict:
    """Wall time per clip of the baseline and of GlanceFocusNet's early exit (at the matched
    point's thresholds, else the most accurate point's), on the decoded validation clips in
    batches of ``EVAL_BATCH``: medians of interleaved repeats, decoding excluded."""
    point = matched_point(curve) or best_point(curve)
    cfg, model = _stage3_model(data, gfnet)
    tsm = cast(TSM, load_model(load_config(TSM_CONFIG, data_overrides(data)), baseline['checkpoint']))
    batches = [
        model.data_preprocessor.normalize(batch['inputs'])
        for batch in eval_loader(cfg, batch_size=EVAL_BATCH, workers=0)
    ]
    timings = interleaved_timings(
        {'baseline': tsm.logits, 'gfnet': lambda clips: model.forward_adaptive(clips, point['thresholds'])},
        batches,
        repeats=repeats,
    )
    result = dict(
        thresholds=point['thresholds'],
        batch_size=EVAL_BATCH,
        repeats=repeats,
        threads=torch.get_num_threads(),
        **{name: t.as_dict() for name, t in timings.items()},
    )
    atomic_write_lines(log, [json.dumps(result)])
    return result


def pictures(log: str, tools: ToolRunner, out: str, data: str, gfnet: dict, budget_dir: str) -> dict:
    """Features of the first validation videos and pictures of where the model looked."""
    with open(os.path.join(data, 'lists', 'val.txt'), encoding='utf-8') as file:
        entries = [line.rsplit(maxsplit=1) for line in file.read().splitlines()[:4]]
    videos, labels = [os.path.join(data, path) for path, _ in entries], [label for _, label in entries]
    thresholds = os.path.join(budget_dir, 'thresholds.json')
    tools(
        log,
        'extract_features.py',
        STAGE3_CONFIG,
        gfnet['checkpoint'],
        '--videos',
        *videos,
        '--out',
        os.path.join(out, 'features'),
        '--thresholds',
        thresholds,
        '--resume',
        '--cfg-options',
        *data_options(data),
    )
    tools(
        log,
        'visualize.py',
        STAGE3_CONFIG,
        gfnet['checkpoint'],
        *videos,
        '--out',
        os.path.join(out, 'glimpses'),
        '--thresholds',
        thresholds,
        '--true-labels',
        *labels,
        '--cfg-options',
        *data_options(data),
    )
    names = [os.path.splitext(os.path.basename(v))[0] for v in videos]
    return dict(pngs=[f'glimpses/{n}_glimpses.png' for n in names], gifs=[f'glimpses/{n}_glimpses.gif' for n in names])


def run_demo(out: str, tools_dir: str, seed: int = 0, quick: bool = False) -> dict:
    """The whole demo in ``out``: data, training, budgets, policy comparison, timing, pictures,
    then ``report.md`` and ``results.json`` (whose content it returns).

    Args:
        out: the output folder; steps finished there by an earlier run are reused.
        tools_dir: the ``tools/`` folder whose scripts run the steps, as a user runs them.
        seed: seed of the data and of all training.
        quick: a few clips and one epoch per stage (for tests; its numbers mean nothing).
    """
    tools = ToolRunner(tools_dir)
    sizes = SIZES['quick' if quick else 'full']
    out = os.path.abspath(out)
    data = os.path.join(out, 'data')
    steps = Steps(out)
    counts = steps.run('data', 'writing the synthetic benchmark', make_data, tools, data, sizes, seed)
    baseline = steps.run(
        'train_baseline', 'training the full-frame TSM baseline', train_baseline, tools, out, data, sizes, seed
    )
    gfnet = steps.run('train_gfnet', 'training GlanceFocusNet stages 1-3', train_gfnet, tools, out, data, sizes, seed)
    curve = steps.run(
        'budgets', 'calibrating and evaluating early exit', evaluate_budgets, tools, out, data, gfnet, baseline, seed
    )
    policies = steps.run('policies', 'comparing patch locations', compare_policies, data, gfnet)
    timing = steps.run(
        'timing', 'timing baseline vs early exit', time_models, data, gfnet, baseline, curve, sizes['repeats']
    )
    images = steps.run(
        'pictures',
        'extracting features, drawing glimpses',
        pictures,
        tools,
        out,
        data,
        gfnet,
        os.path.join(out, 'budget'),
    )
    results = headline(curve, policies, timing, seed)
    atomic_write_json(os.path.join(out, 'results.json'), results)
    commands = follow_up_commands(out, data)
    write_report(out, counts, curve, results, images, steps, quick, commands)
    print_headline(results)
    print(
        f'\n[demo] report: {os.path.relpath(os.path.join(out, "report.md"))} '
        f'(results.json beside it), {steps.seconds / 60:.1f} minutes in all'
    )
    print('[demo] next, on these outputs:\n  ' + '\n  '.join(commands))
    return results
