"""The demo's steps, from writing the synthetic benchmark to the report, and :func:`run_demo`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import cast

import numpy as np
import torch
from mmengine.config import Config

from ..apis import eval_loader, load_config, load_model
from ..data.prep import class_attributes
from ..engine.stage_retry import best_run, train_with_retries
from ..engine.stages import read_stage_record
from ..evaluation import collect_scores, compare_locations, interleaved_timings, read_actor_boxes
from ..fileio import atomic_write_json, atomic_write_lines
from ..models import TSM, GlanceFocusNet, recognizer_macs
from ..registry import MODELS
from .curve import best_point, matched_point
from .recipes import (
    BASELINE_RETRY,
    EVAL_BATCH,
    RECIPES,
    SIZES,
    Recipe,
    baseline_epochs,
    data_options,
    data_overrides,
    epoch_options,
    quick_options,
)
from .report import follow_up_commands, headline, named_runs, print_headline, write_report
from .scripts import ToolRunner
from .steps import Steps


@dataclass(frozen=True)
class DemoRun:
    """What every step of one demo run shares: the tools, the output folder, the sizes, the seed
    and the benchmark's recipe."""

    tools: ToolRunner
    out: str
    sizes: dict[str, int]
    seed: int
    recipe: Recipe

    @property
    def quick(self) -> bool:
        """A ``--quick`` run."""
        return self.sizes == SIZES['quick']

    @property
    def data(self) -> str:
        return os.path.join(self.out, 'data')

    def path(self, *parts: str) -> str:
        """A path inside the output folder."""
        return os.path.join(self.out, *parts)


def make_data(log: str, run: DemoRun) -> dict:
    """Write the benchmark's scene and its lists, holding out a calibration slice of the training list."""
    sizes, data = run.sizes, run.data
    run.tools(
        log,
        'make-synthetic',
        '--layout',
        'sthv2',
        '--scene',
        run.recipe.benchmark,
        '--out',
        data,
        '--num-train',
        str(sizes['train']),
        '--num-val',
        str(sizes['val']),
        '--seed',
        str(run.seed),
    )
    lists = os.path.join(data, 'lists')
    run.tools(
        log,
        'build-lists',
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
    held_out = set(np.random.default_rng(run.seed).permutation(len(lines))[: sizes['calib']].tolist())
    calib = [line for index, line in enumerate(lines) if index in held_out]
    train_fit = [line for index, line in enumerate(lines) if index not in held_out]
    atomic_write_lines(os.path.join(lists, 'calib.txt'), calib)
    atomic_write_lines(os.path.join(lists, 'train_fit.txt'), train_fit)
    return dict(train=len(lines) - len(held_out), calib=len(held_out), val=sizes['val'])


def train_tsm(log: str, run: DemoRun, work: str, *options: str, seed: int | None = None) -> dict:
    """Train the recipe's full-frame TSM (with extra ``options``) into ``work``, with training seed
    ``seed`` (default: the run's)."""
    epochs = baseline_epochs(run.sizes, run.recipe)
    run.tools(
        log,
        'train',
        run.recipe.tsm,
        '--work-dir',
        work,
        '--resume',
        '--seed',
        str(run.seed if seed is None else seed),
        '--cfg-options',
        *data_options(run.data),
        *quick_options(run.sizes),
        *epoch_options(epochs),
        *options,
    )
    with open(os.path.join(work, 'last_checkpoint'), encoding='utf-8') as file:
        return dict(checkpoint=file.read().strip(), epochs=epochs)


def train_baseline(log: str, run: DemoRun) -> dict:
    """The full-frame TSM baseline, trained again with the next seed where its validation top-1
    ends under :data:`BASELINE_RETRY`'s threshold (not under ``--quick``); the better run's
    checkpoint, with every run's score."""
    work = run.path('train', 'tsm_baseline')
    if run.quick:
        return dict(train_tsm(log, run, work), runs=None)

    def train_run(run_dir: str, seed: int | None) -> str:
        return train_tsm(log, run, run_dir, seed=seed)['checkpoint']

    def report(line: str) -> None:
        with open(log, 'a', encoding='utf-8') as file:
            file.write(line + '\n')

    runs = train_with_retries('the baseline', work, BASELINE_RETRY, run.seed, train_run, report)
    chosen = best_run(runs)
    record = dict(stage_retry=BASELINE_RETRY.threshold(), runs=runs, chosen=chosen['work_dir'])
    return dict(checkpoint=chosen['checkpoint'], epochs=baseline_epochs(run.sizes, run.recipe), runs=named_runs(record))


def train_gfnet(log: str, run: DemoRun) -> dict:
    work = run.path('train', 'gfnet')
    options = data_options(run.data) + quick_options(run.sizes)  # train_all passes the options to every stage
    run.tools(
        log, 'train-all', run.recipe.gfnet, '--work-dir', work, '--seed', str(run.seed), '--cfg-options', *options
    )
    with open(os.path.join(work, run.recipe.final_stage, 'last_checkpoint'), encoding='utf-8') as file:
        checkpoint = file.read().strip()
    return dict(checkpoint=checkpoint, stages=read_stage_record(work))


def evaluate_budgets(log: str, run: DemoRun, gfnet: dict, baseline: dict) -> dict:
    budget = run.path('budget')
    run.tools(
        log,
        'evaluate-budget',
        run.recipe.final,
        gfnet['checkpoint'],
        '--out',
        budget,
        '--calib-list',
        os.path.join(run.data, 'lists', 'calib.txt'),
        '--baseline',
        run.recipe.tsm,
        baseline['checkpoint'],
        '--batch-size',
        str(EVAL_BATCH),
        '--workers',
        '0',
        '--num-points',
        '8',
        '--seed',
        str(run.seed),
        '--cfg-options',
        *data_options(run.data),
    )
    with open(os.path.join(budget, 'budget_curve.json'), encoding='utf-8') as file:
        return json.load(file)


def _final_model(run: DemoRun, gfnet: dict) -> tuple[Config, GlanceFocusNet]:
    cfg = load_config(run.recipe.final, data_overrides(run.data))
    return cfg, cast(GlanceFocusNet, load_model(cfg, gfnet['checkpoint']))


def equal_compute_size(model_cfg: dict, gmacs: float, frame_size: int) -> tuple[int, float]:
    """The input side (a multiple of 4 up to ``frame_size``) at which the TSM of ``model_cfg``
    costs closest to ``gmacs`` per clip of ``frame_size`` frames, and that cost (flop counter)."""
    costs = {
        size: recognizer_macs(MODELS.build(dict(model_cfg, input_size=size)), frame_size, frame_size) / 1e9
        for size in range(8, frame_size + 1, 4)
    }
    size = min(costs, key=lambda side: abs(costs[side] - gmacs))
    return size, costs[size]


def train_equal_compute(log: str, run: DemoRun, curve: dict) -> dict:
    """The equal-compute static control: the baseline's architecture and recipe on whole frames
    downscaled (inside the model) until its GMACs match GlanceFocusNet's at the point matching the
    baseline (else its most accurate point); its validation top-1."""
    point = matched_point(curve) or best_point(curve)
    cfg = load_config(run.recipe.tsm, data_overrides(run.data))
    size, gmacs = equal_compute_size(cfg.model.to_dict(), point['mean_gmacs'], cfg.frame_size)
    trained = train_tsm(log, run, run.path('train', 'tsm_equal_compute'), f'model.input_size={size}')
    cfg.merge_from_dict({'model.input_size': size})
    scores = collect_scores(load_model(cfg, trained['checkpoint']), eval_loader(cfg, batch_size=EVAL_BATCH, workers=0))
    return dict(
        top1=scores.summary()['top1'],
        gmacs_per_clip=gmacs,
        input_size=size,
        gfnet_gmacs_per_clip=point['mean_gmacs'],
        checkpoint=trained['checkpoint'],
    )


def compare_policies(log: str, run: DemoRun, gfnet: dict) -> list[dict]:
    """Top-1 and hit rate after k focus steps: learned, random, centre, motion-peak,
    camera-compensated motion-peak and oracle patches (the actor boxes serve this measurement only),
    each also split into the block's identity and its direction (and the glance's alone)."""
    cfg, model = _final_model(run, gfnet)
    actor_boxes = read_actor_boxes(os.path.join(run.data, 'annotations', 'actor_boxes.json'))
    loader = eval_loader(cfg, batch_size=EVAL_BATCH, workers=0)
    rows = compare_locations(model, loader, actor_boxes, class_attributes=class_attributes())
    atomic_write_lines(log, [json.dumps(row) for row in rows])
    return rows


def time_models(log: str, run: DemoRun, gfnet: dict, baseline: dict, curve: dict) -> dict:
    """Wall time per clip of the baseline and of GlanceFocusNet's early exit (at the matched
    point's thresholds, else the most accurate point's), on the decoded validation clips in
    batches of ``EVAL_BATCH``: medians of interleaved repeats, decoding excluded."""
    point = matched_point(curve) or best_point(curve)
    cfg, model = _final_model(run, gfnet)
    tsm = cast(TSM, load_model(load_config(run.recipe.tsm, data_overrides(run.data)), baseline['checkpoint']))
    batches = [
        model.data_preprocessor.normalize(batch['inputs'])
        for batch in eval_loader(cfg, batch_size=EVAL_BATCH, workers=0)
    ]
    repeats = run.sizes['repeats']
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


def pictures(log: str, run: DemoRun, gfnet: dict) -> dict:
    """Features of the first validation videos and pictures of where the model looked."""
    data = run.data
    with open(os.path.join(data, 'lists', 'val.txt'), encoding='utf-8') as file:
        entries = [line.rsplit(maxsplit=1) for line in file.read().splitlines()[:4]]
    videos, labels = [os.path.join(data, path) for path, _ in entries], [label for _, label in entries]
    thresholds = run.path('budget', 'thresholds.json')
    model = [run.recipe.final, gfnet['checkpoint']]
    options = ['--thresholds', thresholds, '--cfg-options', *data_options(data)]
    run.tools(log, 'extract-features', *model, '--videos', *videos, '--out', run.path('features'), '--resume', *options)
    run.tools(log, 'visualize', *model, *videos, '--out', run.path('glimpses'), '--true-labels', *labels, *options)
    names = [os.path.splitext(os.path.basename(v))[0] for v in videos]
    return dict(pngs=[f'glimpses/{n}_glimpses.png' for n in names], gifs=[f'glimpses/{n}_glimpses.gif' for n in names])


def run_demo(out: str, seed: int = 0, quick: bool = False, benchmark: str = 'busy') -> dict:
    """The whole demo in ``out``: data, training, budgets, policy comparison, the equal-compute
    control, timing, pictures, then ``report.md`` and ``results.json`` (whose content it returns).

    Args:
        out: the output folder; steps finished there by an earlier run of the same benchmark,
            seed and ``quick``, whose recipes they depend on are the same, are reused (others
            run afresh, saying so: changing GlanceFocusNet's recipe keeps the data and the
            baseline).
        seed: seed of the data and of all training.
        quick: a few clips and one epoch per stage (for tests; its numbers mean nothing).
        benchmark: the scene, ``'busy'`` (motion does not say where the evidence is) or
            ``'static'`` (:data:`gfvideo.demo.recipes.RECIPES`).
    """
    if benchmark not in RECIPES:
        raise ValueError(f'unknown benchmark {benchmark!r}; choose one of {tuple(RECIPES)}')
    recipe = RECIPES[benchmark]
    run = DemoRun(ToolRunner(), os.path.abspath(out), SIZES['quick' if quick else 'full'], seed, recipe)
    # each step reruns when the benchmark, seed or quick flag change, or a recipe it depends on
    steps = Steps(run.out, dict(benchmark=benchmark, seed=seed, quick=quick))
    recipes = recipe.digests()
    with_baseline = dict(baseline_recipe=recipes['baseline_recipe'])
    with_gfnet = dict(gfnet_recipe=recipes['gfnet_recipe'])
    counts = steps.run('data', 'writing the synthetic benchmark', make_data, [run.data], run)
    baseline = steps.run(
        'train_baseline',
        'training the full-frame TSM baseline',
        train_baseline,
        [run.path('train', 'tsm_baseline')],
        run,
        depends_on=with_baseline,
    )
    gfnet = steps.run(
        'train_gfnet',
        f'training GlanceFocusNet stages 1-{len(recipe.stages)}',
        train_gfnet,
        [run.path('train', 'gfnet')],
        run,
        depends_on=with_gfnet,
    )
    curve = steps.run(
        'budgets',
        'calibrating and evaluating early exit',
        evaluate_budgets,
        [run.path('budget')],
        run,
        gfnet,
        baseline,
        depends_on=recipes,
    )
    policies = steps.run(
        'policies', 'comparing patch locations', compare_policies, [], run, gfnet, depends_on=with_gfnet
    )
    control = steps.run(
        'equal_compute',
        'training the equal-compute static control',
        train_equal_compute,
        [run.path('train', 'tsm_equal_compute')],
        run,
        curve,
        depends_on=recipes,
    )
    timing = steps.run(
        'timing', 'timing baseline vs early exit', time_models, [], run, gfnet, baseline, curve, depends_on=recipes
    )
    images = steps.run(
        'pictures',
        'extracting features, drawing glimpses',
        pictures,
        [run.path('features'), run.path('glimpses')],
        run,
        gfnet,
        depends_on=recipes,
    )
    results = headline(
        curve, policies, timing, control, seed, benchmark, quick, gfnet.get('stages'), baseline.get('runs')
    )
    atomic_write_json(run.path('results.json'), results)
    commands = follow_up_commands(run.out, run.data, recipe, os.path.dirname(baseline['checkpoint']))
    write_report(run.out, counts, curve, results, images, steps, quick, commands)
    print_headline(results)
    print(
        f'\n[demo] report: {os.path.relpath(run.path("report.md"))} '
        f'(results.json beside it), {steps.seconds / 60:.1f} minutes in all'
    )
    print('[demo] next, on these outputs:\n  ' + '\n  '.join(commands))
    return results
