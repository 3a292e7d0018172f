"""The whole of gfvideo on the built-in synthetic benchmark, from nothing to a report.

    python tools/demo.py [--out work_dirs/demo] [--quick]

1. writes the spatial-redundancy benchmark in the Something-Something V2 layout and builds its
   lists (``tools/make_synthetic.py``, ``tools/build_lists.py``), holding out a calibration slice
   of the training list;
2. trains the full-frame TSM baseline (``tools/train.py``) and GlanceFocusNet stages 1-3
   (``tools/train_all.py``) from scratch;
3. calibrates early-exit budgets and evaluates them with the real runtime
   (``tools/evaluate_budget.py``), and compares the learned policy with random and centre patches;
4. extracts features of a few videos and draws where the model looked (``tools/extract_features.py``,
   ``tools/visualize.py``);
5. writes ``report.md`` and ``results.json`` in the output folder.

Every step runs the same command-line tools a user runs; a finished step leaves a marker in
``<out>/steps`` and a rerun skips it. ``--quick`` uses a few clips and one epoch per stage (for
tests); its numbers mean nothing.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

from gfvideo.apis import eval_loader, load_config, load_model
from gfvideo.evaluation import collect_step_logits_many, topk_accuracy
from gfvideo.fileio import atomic_write_json, atomic_write_lines

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

GFNET_CONFIG = os.path.join(ROOT, 'configs', 'gfnet_small_synthetic-stage1.py')
TSM_CONFIG = os.path.join(ROOT, 'configs', 'tsm_small_synthetic.py')
#: Sizes of a full run and of ``--quick``: clips, calibration slice, epochs per stage.
SIZES = {
    'full': dict(train=960, calib=96, val=200, stage1=0, stage2=0, stage3=0),
    'quick': dict(train=40, calib=8, val=16, stage1=1, stage2=1, stage3=1),
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default=os.path.join('work_dirs', 'demo'))
    parser.add_argument('--quick', action='store_true', help='a few clips and one epoch per stage (for tests)')
    return parser.parse_args(argv)


class Steps:
    """Runs named steps once: a finished step's result and duration are kept in
    ``<out>/steps/<name>.json``, and a rerun reads them back instead of running the step."""

    def __init__(self, out: str) -> None:
        self.folder = os.path.join(out, 'steps')
        os.makedirs(self.folder, exist_ok=True)
        self.seconds = 0.0  # all steps' durations, including those of earlier runs

    def run(self, name: str, function, *args):
        marker = os.path.join(self.folder, f'{name}.json')
        if os.path.exists(marker):
            with open(marker, encoding='utf-8') as file:
                stored = json.load(file)
            print(f'[demo] {name}: done before ({stored["seconds"]:.0f} s), reused', flush=True)
        else:
            print(f'[demo] {name} ... ({self.seconds:.0f} s so far)', flush=True)
            start = time.perf_counter()
            stored = dict(result=function(*args), seconds=time.perf_counter() - start)
            atomic_write_json(marker, stored)
        self.seconds += stored['seconds']
        return stored['result']


def tool(script: str, *args: str) -> None:
    """Run a gfvideo tool; its progress goes straight to the terminal."""
    command = [sys.executable, os.path.join(ROOT, 'tools', script), *args]
    status = subprocess.call(command, cwd=ROOT)
    if status:
        raise SystemExit(f'[demo] {script} failed with exit status {status}: {" ".join(command)}')


def make_data(data: str, sizes: dict) -> dict:
    tool('make_synthetic.py', '--layout', 'sthv2', '--out', data, '--num-train', str(sizes['train']),
         '--num-val', str(sizes['val']), '--seed', '0')
    lists = os.path.join(data, 'lists')
    tool('build_lists.py', 'sthv2', '--annotations', os.path.join(data, 'annotations'), '--media-root', data,
         '--out', lists)
    with open(os.path.join(lists, 'train.txt'), encoding='utf-8') as file:
        lines = file.read().splitlines()
    held_out = set(np.random.default_rng(0).permutation(len(lines))[:sizes['calib']].tolist())
    atomic_write_lines(os.path.join(lists, 'calib.txt'), [l for i, l in enumerate(lines) if i in held_out])
    atomic_write_lines(os.path.join(lists, 'train_fit.txt'), [l for i, l in enumerate(lines) if i not in held_out])
    return dict(train=len(lines) - len(held_out), calib=len(held_out), val=sizes['val'])


def data_options(data: str) -> list[str]:
    return [f'{loader}.dataset.data_root={data}' for loader in ('train_dataloader', 'val_dataloader',
                                                                 'test_dataloader')] + [
        'train_dataloader.dataset.ann_file=lists/train_fit.txt']


def epoch_options(epochs: int) -> list[str]:
    """``--quick``: the recipe's epochs overridden (schedule and validation following) and data
    loaded in the training process (worker start-up costs more than a few clips take)."""
    if not epochs:
        return []
    return [f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}',
            f'param_scheduler.0.T_max={epochs}'] + [
        f'{loader}.{key}' for loader in ('train_dataloader', 'val_dataloader')
        for key in ('num_workers=0', 'persistent_workers=False')]


def train_baseline(out: str, data: str, sizes: dict) -> dict:
    work = os.path.join(out, 'train', 'tsm_baseline')
    epochs = sizes['stage1'] + sizes['stage3'] if sizes['stage1'] else 0
    tool('train.py', TSM_CONFIG, '--work-dir', work, '--resume', '--cfg-options', *data_options(data),
         *epoch_options(epochs))
    return dict(checkpoint=open(os.path.join(work, 'last_checkpoint')).read().strip())


def train_gfnet(out: str, data: str, sizes: dict) -> dict:
    work = os.path.join(out, 'train', 'gfnet')
    options = data_options(data)
    if sizes['stage1']:  # --quick: one epoch per stage (train_all passes the options to every stage)
        options += epoch_options(sizes['stage1'])
    tool('train_all.py', GFNET_CONFIG, '--work-dir', work, '--cfg-options', *options)
    return dict(checkpoint=open(os.path.join(work, 'stage3', 'last_checkpoint')).read().strip())


def evaluate_budgets(out: str, data: str, gfnet: dict, baseline: dict) -> dict:
    budget = os.path.join(out, 'budget')
    stage3 = GFNET_CONFIG.replace('stage1', 'stage3')
    tool('evaluate_budget.py', stage3, gfnet['checkpoint'], '--out', budget, '--calib-list',
         os.path.join(data, 'lists', 'calib.txt'), '--baseline', TSM_CONFIG, baseline['checkpoint'],
         '--batch-size', '16', '--workers', '0', '--num-points', '12', '--cfg-options', *data_options(data))
    with open(os.path.join(budget, 'budget_curve.json'), encoding='utf-8') as file:
        return json.load(file)


def compare_policies(data: str, gfnet: dict) -> list[dict]:
    """Top-1 after k focus steps with the learned policy, uniform random and centre patches."""
    cfg = load_config(GFNET_CONFIG.replace('stage1', 'stage3'),
                      dict(o.split('=', 1) for o in data_options(data)))
    model = load_model(cfg, gfnet['checkpoint'])

    def centre(state):
        return torch.full((state.frame_ids.shape[0], 2), 0.5)

    modes = {'learned': 'mean', 'random': 'random', 'center': centre}
    runs = dict(zip(modes, collect_step_logits_many(model, eval_loader(cfg, batch_size=16, workers=0),
                                                    list(modes.values()))))
    labels = runs['learned'].labels
    return [dict(focus_steps=k, **{f'{name}_top1': topk_accuracy(run.logits[k], labels, 1)
                                   for name, run in runs.items()})
            for k in range(1, model.max_focus_steps + 1)]


def pictures(out: str, data: str, gfnet: dict, budget_dir: str) -> dict:
    with open(os.path.join(data, 'lists', 'val.txt'), encoding='utf-8') as file:
        videos = [os.path.join(data, line.split()[0]) for line in file.read().splitlines()[:4]]
    stage3 = GFNET_CONFIG.replace('stage1', 'stage3')
    thresholds = os.path.join(budget_dir, 'thresholds.json')
    tool('extract_features.py', stage3, gfnet['checkpoint'], '--videos', *videos, '--out',
         os.path.join(out, 'features'), '--thresholds', thresholds, '--resume', '--cfg-options', *data_options(data))
    tool('visualize.py', stage3, gfnet['checkpoint'], *videos, '--out', os.path.join(out, 'glimpses'),
         '--thresholds', thresholds, '--cfg-options', *data_options(data))
    names = [os.path.splitext(os.path.basename(v))[0] for v in videos]
    return dict(pngs=[f'glimpses/{n}_glimpses.png' for n in names], gifs=[f'glimpses/{n}_glimpses.gif' for n in names])


def headline(curve: dict, policies: list[dict]) -> dict:
    """``results.json``: the baseline, the cheapest budget point that matches it, the best point."""
    baseline = curve['baseline']
    points = sorted(curve['points'], key=lambda p: p['mean_gmacs'])
    matched = next((p for p in points if p['top1'] >= baseline['top1']), None)
    best = max(points, key=lambda p: (p['top1'], -p['mean_gmacs']))

    def summary(point):
        return dict(top1=point['top1'], gmacs_per_clip=point['mean_gmacs'], cpu_ms_per_clip=point['mean_latency_ms'])

    return {'split': 'val',
            'baseline': dict(top1=baseline['top1'], gmacs_per_clip=baseline['gmacs'],
                             cpu_ms_per_clip=baseline['ms_per_clip']),
            'gfnet_matched': dict(summary(matched), thresholds=matched['thresholds']) if matched else None,
            'gfnet_best': summary(best),
            'gmacs_ratio': matched['mean_gmacs'] / baseline['gmacs'] if matched else None,
            'time_ratio': matched['mean_latency_ms'] / baseline['ms_per_clip'] if matched else None,
            'policy_vs_random': policies}


def _pct(value) -> str:
    return '-' if value is None else f'{100 * value:.1f}%'


def write_report(out: str, counts: dict, curve: dict, results: dict, images: dict, seconds: float,
                 quick: bool) -> None:
    baseline = results['baseline']
    lines = ['# gfvideo demo report', '',
             f'Synthetic spatial-redundancy benchmark (Something-Something V2 layout): {counts["train"]} training '
             f'clips, {counts["calib"]} held-out calibration clips, {counts["val"]} validation clips. Everything '
             f'trained from scratch on this machine ({os.cpu_count()} CPU threads) in {seconds / 60:.1f} minutes.',
             '']
    if quick:
        lines += ['**--quick run: a few clips and one epoch per stage; the numbers below mean nothing.**', '']
    lines += ['## Accuracy against compute (validation split)', '', '![budget curve](budget/budget_curve.png)', '',
              '| model | top-1 | GMACs per clip | CPU ms per clip |', '|---|---|---|---|',
              f'| TSM baseline (full frame) | {_pct(baseline["top1"])} | {baseline["gmacs_per_clip"]:.3f} | '
              f'{baseline["cpu_ms_per_clip"]:.1f} |']
    for name, key in (('GFNet, cheapest point matching the baseline', 'gfnet_matched'),
                      ('GFNet, most accurate point', 'gfnet_best')):
        point = results[key]
        lines.append(f'| {name} | ' + ('not reached | - | - |' if point is None else
                                        f'{_pct(point["top1"])} | {point["gmacs_per_clip"]:.3f} | '
                                        f'{point["cpu_ms_per_clip"]:.1f} |'))
    gmacs_ratio, time_ratio = (('-' if r is None else f'{r:.3f}') for r in (results['gmacs_ratio'],
                                                                            results['time_ratio']))
    lines += ['', f'GMACs ratio at matched accuracy: {gmacs_ratio}; wall-time ratio: {time_ratio} (CPU, batch 16; '
              'early exit drops finished clips from the batch).', '',
              '### Every budget point (real early-exit runtime)', '',
              '| mean GMACs | top-1 | top-5 | CPU ms per clip | exits per step |', '|---|---|---|---|---|']
    for point in sorted(curve['points'], key=lambda p: p['mean_gmacs']):
        lines.append(f'| {point["mean_gmacs"]:.3f} | {_pct(point["top1"])} | {_pct(point["top5"])} | '
                     f'{point["mean_latency_ms"]:.1f} | {point["exit_histogram"]} |')
    lines += ['', '### Fixed number of steps (no early exit)', '', '| steps | cumulative GMACs | top-1 |',
              '|---|---|---|']
    lines += [f'| {p["step"]} | {p["gmacs"]:.3f} | {_pct(p["top1"])} |' for p in curve['anytime']]
    lines += ['', '## Does the policy find the moving object?', '',
              'Top-1 after k focus steps with the learned policy, uniform random patches and centre patches:', '',
              '| focus steps | learned | random | centre |', '|---|---|---|---|']
    lines += [f'| {p["focus_steps"]} | {_pct(p["learned_top1"])} | {_pct(p["random_top1"])} | '
              f'{_pct(p["center_top1"])} |' for p in results['policy_vs_random']]
    lines += ['', '## Where the model looked', '',
              'Each step\'s patch in its own colour, with the prediction after every step (step 0 = glance):', '']
    lines += [f'![glimpses]({png}) ([animation]({gif}))' for png, gif in zip(images['pngs'], images['gifs'])]
    lines += ['', 'Features of these videos (glance, focus, boxes, per-step logits) are in `features/`.', '']
    atomic_write_lines(os.path.join(out, 'report.md'), lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    sizes = SIZES['quick' if args.quick else 'full']
    out = os.path.abspath(args.out)
    data = os.path.join(out, 'data')
    steps = Steps(out)
    counts = steps.run('data', make_data, data, sizes)
    baseline = steps.run('train_baseline', train_baseline, out, data, sizes)
    gfnet = steps.run('train_gfnet', train_gfnet, out, data, sizes)
    curve = steps.run('budgets', evaluate_budgets, out, data, gfnet, baseline)
    policies = steps.run('policies', compare_policies, data, gfnet)
    images = steps.run('pictures', pictures, out, data, gfnet, os.path.join(out, 'budget'))
    results = headline(curve, policies)
    atomic_write_json(os.path.join(out, 'results.json'), results)
    write_report(out, counts, curve, results, images, steps.seconds, args.quick)
    print(json.dumps(results, indent=1))
    print(f'[demo] report: {os.path.join(out, "report.md")}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
