"""The whole of gfvideo on the built-in synthetic benchmark, from nothing to a report.

    python tools/demo.py [--out work_dirs/demo] [--seed 0] [--quick]

1. writes the spatial-redundancy benchmark in the Something-Something V2 layout and builds its
   lists (``tools/make_synthetic.py``, ``tools/build_lists.py``), holding out a calibration slice
   of the training list;
2. trains the full-frame TSM baseline (``tools/train.py``) and GlanceFocusNet stages 1-3
   (``tools/train_all.py``) from scratch;
3. calibrates early-exit budgets and evaluates them with the real runtime
   (``tools/evaluate_budget.py``);
4. compares the learned policy with random, centre, motion-peak and oracle patches (top-1 and
   hit rate: how often a patch holds the moving object's centre);
5. times the baseline against GlanceFocusNet's early exit at the baseline's accuracy, side by
   side (medians of interleaved repeats);
6. extracts features of a few videos and draws where the model looked;
7. writes ``report.md`` and ``results.json`` in the output folder.

Every step runs the same command-line tools a user runs; their logs go to ``<out>/logs``. A
finished step leaves a marker in ``<out>/steps`` and a rerun skips it. ``--seed`` seeds the
data and all training. ``--quick`` uses a few clips and one epoch per stage (for tests); its
numbers mean nothing.
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
from gfvideo.evaluation import compare_locations, interleaved_timings, read_actor_boxes
from gfvideo.fileio import atomic_write_json, atomic_write_lines

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: The synthetic recipes: GlanceFocusNet's stage 1 config (tools/train_all.py finds stages 2 and 3
#: next to it), its stage 3 config (the final model) and the full-frame TSM baseline.
GFNET_CONFIG = os.path.join(ROOT, 'configs', 'gfnet',
                            'gfnet_stage1_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb.py')
STAGE3_CONFIG = os.path.join(ROOT, 'configs', 'gfnet',
                             'gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-rgb.py')
TSM_CONFIG = os.path.join(ROOT, 'configs', 'recognition', 'tsm',
                          'tsm_r18-quarter-width_1xb16-1x1x8-12e_synthetic-rgb.py')
#: Sizes of a full run and of ``--quick``: clips, calibration slice, epochs per stage (0: the
#: recipe's), timing repeats.
SIZES = {
    'full': dict(train=1760, calib=160, val=400, stage1=0, stage2=0, stage3=0, repeats=5),
    'quick': dict(train=40, calib=8, val=16, stage1=1, stage2=1, stage3=1, repeats=2),
}
EVAL_BATCH = 16


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default=os.path.join('work_dirs', 'demo'))
    parser.add_argument('--seed', type=int, default=0, help='seed of the data and of all training (default 0)')
    parser.add_argument('--quick', action='store_true', help='a few clips and one epoch per stage (for tests)')
    return parser.parse_args(argv)


class Steps:
    """Runs named steps once, one console line each: a finished step's result and duration are
    kept in ``<out>/steps/<name>.json``, and a rerun reads them back instead of running it."""

    def __init__(self, out: str) -> None:
        self.folder = os.path.join(out, 'steps')
        self.logs = os.path.join(out, 'logs')
        os.makedirs(self.folder, exist_ok=True)
        os.makedirs(self.logs, exist_ok=True)
        self.seconds = 0.0  # all steps' durations, including those of earlier runs
        self.durations: dict[str, float] = {}

    def run(self, name: str, description: str, function, *args):
        marker = os.path.join(self.folder, f'{name}.json')
        if os.path.exists(marker):
            with open(marker, encoding='utf-8') as file:
                stored = json.load(file)
            print(f'[demo] {description:<44} reused ({stored["seconds"]:.0f} s before)', flush=True)
        else:
            print(f'[demo] {description:<44} ', end='', flush=True)
            start = time.perf_counter()
            log = os.path.join(self.logs, f'{name}.log')
            stored = dict(result=function(log, *args), seconds=time.perf_counter() - start)
            atomic_write_json(marker, stored)
            print(f'{stored["seconds"]:6.0f} s   (log: {os.path.relpath(log)})', flush=True)
        self.seconds += stored['seconds']
        self.durations[name] = stored['seconds']
        return stored['result']


def tool(log: str, script: str, *args: str) -> None:
    """Run a gfvideo tool with its output appended to ``log``; on failure show the log's tail."""
    command = [sys.executable, os.path.join(ROOT, 'tools', script), *args]
    with open(log, 'a', encoding='utf-8') as file:
        file.write(f'$ {" ".join(command)}\n')
        file.flush()
        status = subprocess.call(command, cwd=ROOT, stdout=file, stderr=subprocess.STDOUT)
    if status:
        with open(log, encoding='utf-8', errors='replace') as file:
            tail = file.read().splitlines()[-25:]
        print('\n' + '\n'.join(tail), file=sys.stderr)
        raise SystemExit(f'[demo] {script} failed with exit status {status}; full log: {log}')


def make_data(log: str, data: str, sizes: dict, seed: int) -> dict:
    tool(log, 'make_synthetic.py', '--layout', 'sthv2', '--out', data, '--num-train', str(sizes['train']),
         '--num-val', str(sizes['val']), '--seed', str(seed))
    lists = os.path.join(data, 'lists')
    tool(log, 'build_lists.py', 'sthv2', '--annotations', os.path.join(data, 'annotations'), '--media-root', data,
         '--out', lists)
    with open(os.path.join(lists, 'train.txt'), encoding='utf-8') as file:
        lines = file.read().splitlines()
    held_out = set(np.random.default_rng(seed).permutation(len(lines))[:sizes['calib']].tolist())
    atomic_write_lines(os.path.join(lists, 'calib.txt'), [l for i, l in enumerate(lines) if i in held_out])
    atomic_write_lines(os.path.join(lists, 'train_fit.txt'), [l for i, l in enumerate(lines) if i not in held_out])
    return dict(train=len(lines) - len(held_out), calib=len(held_out), val=sizes['val'])


def data_options(data: str) -> list[str]:
    """``--cfg-options`` that put every dataloader on the demo's data (mmaction2's ``data_root``)
    and train on the training list less the calibration slice."""
    return [f'data_root={data}', 'train_dataloader.dataset.ann_file=lists/train_fit.txt']


def epoch_options(epochs: int) -> list[str]:
    """The recipe's epochs overridden, with the schedule and the validation following."""
    return [f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}', f'param_scheduler.0.T_max={epochs}']


def quick_options(sizes: dict) -> list[str]:
    """``--quick``: one epoch per stage and data loaded in the training process (worker start-up
    costs more than a few clips take)."""
    if not sizes['stage1']:
        return []
    return epoch_options(sizes['stage1']) + [f'{loader}.{key}' for loader in ('train_dataloader', 'val_dataloader')
                                             for key in ('num_workers=0', 'persistent_workers=False')]


def baseline_epochs(sizes: dict) -> int:
    """The baseline trains as many epochs as GlanceFocusNet's backbones (stage 1 + stage 3)."""
    if sizes['stage1']:
        return sizes['stage1'] + sizes['stage3']
    stage1, stage3 = (load_config(config).train_cfg.max_epochs for config in (GFNET_CONFIG, STAGE3_CONFIG))
    return stage1 + stage3


def train_baseline(log: str, out: str, data: str, sizes: dict, seed: int) -> dict:
    work = os.path.join(out, 'train', 'tsm_baseline')
    epochs = baseline_epochs(sizes)
    tool(log, 'train.py', TSM_CONFIG, '--work-dir', work, '--resume', '--seed', str(seed), '--cfg-options',
         *data_options(data), *quick_options(sizes), *epoch_options(epochs))
    with open(os.path.join(work, 'last_checkpoint'), encoding='utf-8') as file:
        return dict(checkpoint=file.read().strip(), epochs=epochs)


def train_gfnet(log: str, out: str, data: str, sizes: dict, seed: int) -> dict:
    work = os.path.join(out, 'train', 'gfnet')
    options = data_options(data) + quick_options(sizes)  # train_all passes the options to every stage
    tool(log, 'train_all.py', GFNET_CONFIG, '--work-dir', work, '--seed', str(seed), '--cfg-options', *options)
    with open(os.path.join(work, 'stage3', 'last_checkpoint'), encoding='utf-8') as file:
        return dict(checkpoint=file.read().strip())


def evaluate_budgets(log: str, out: str, data: str, gfnet: dict, baseline: dict, seed: int) -> dict:
    budget = os.path.join(out, 'budget')
    tool(log, 'evaluate_budget.py', STAGE3_CONFIG, gfnet['checkpoint'], '--out', budget, '--calib-list',
         os.path.join(data, 'lists', 'calib.txt'), '--baseline', TSM_CONFIG, baseline['checkpoint'],
         '--batch-size', str(EVAL_BATCH), '--workers', '0', '--num-points', '8', '--seed', str(seed),
         '--cfg-options', *data_options(data))
    with open(os.path.join(budget, 'budget_curve.json'), encoding='utf-8') as file:
        return json.load(file)


def _stage3_model(data: str, gfnet: dict):
    cfg = load_config(STAGE3_CONFIG, dict(o.split('=', 1) for o in data_options(data)))
    return cfg, load_model(cfg, gfnet['checkpoint'])


def compare_policies(log: str, data: str, gfnet: dict) -> list[dict]:
    """Top-1 and hit rate after k focus steps: learned, random, centre, motion-peak and oracle
    patches (the actor boxes serve this measurement only)."""
    cfg, model = _stage3_model(data, gfnet)
    actor_boxes = read_actor_boxes(os.path.join(data, 'annotations', 'actor_boxes.json'))
    rows = compare_locations(model, eval_loader(cfg, batch_size=EVAL_BATCH, workers=0), actor_boxes)
    atomic_write_lines(log, [json.dumps(row) for row in rows])
    return rows


def matched_point(curve: dict) -> dict | None:
    """The cheapest budget point at least as accurate as the baseline."""
    points = sorted(curve['points'], key=lambda p: p['mean_gmacs'])
    return next((p for p in points if p['top1'] >= curve['baseline']['top1']), None)


def time_models(log: str, data: str, gfnet: dict, baseline: dict, curve: dict, repeats: int) -> dict:
    """Wall time per clip of the baseline and of GlanceFocusNet's early exit (at the matched
    point's thresholds, else the most accurate point's), on the decoded validation clips in
    batches of ``EVAL_BATCH``: medians of interleaved repeats, decoding excluded."""
    point = matched_point(curve) or max(curve['points'], key=lambda p: (p['top1'], -p['mean_gmacs']))
    cfg, model = _stage3_model(data, gfnet)
    tsm = load_model(load_config(TSM_CONFIG, dict(o.split('=', 1) for o in data_options(data))),
                     baseline['checkpoint'])
    batches = [model.data_preprocessor.normalize(batch['inputs'])
               for batch in eval_loader(cfg, batch_size=EVAL_BATCH, workers=0)]
    timings = interleaved_timings({'baseline': tsm.logits,
                                   'gfnet': lambda clips: model.forward_adaptive(clips, point['thresholds'])},
                                  batches, repeats=repeats)
    result = dict(thresholds=point['thresholds'], batch_size=EVAL_BATCH, repeats=repeats,
                  threads=torch.get_num_threads(), **{name: t.as_dict() for name, t in timings.items()})
    atomic_write_lines(log, [json.dumps(result)])
    return result


def pictures(log: str, out: str, data: str, gfnet: dict, budget_dir: str) -> dict:
    with open(os.path.join(data, 'lists', 'val.txt'), encoding='utf-8') as file:
        entries = [line.rsplit(maxsplit=1) for line in file.read().splitlines()[:4]]
    videos, labels = [os.path.join(data, path) for path, _ in entries], [label for _, label in entries]
    thresholds = os.path.join(budget_dir, 'thresholds.json')
    tool(log, 'extract_features.py', STAGE3_CONFIG, gfnet['checkpoint'], '--videos', *videos, '--out',
         os.path.join(out, 'features'), '--thresholds', thresholds, '--resume', '--cfg-options', *data_options(data))
    tool(log, 'visualize.py', STAGE3_CONFIG, gfnet['checkpoint'], *videos, '--out', os.path.join(out, 'glimpses'),
         '--thresholds', thresholds, '--true-labels', *labels, '--cfg-options', *data_options(data))
    names = [os.path.splitext(os.path.basename(v))[0] for v in videos]
    return dict(pngs=[f'glimpses/{n}_glimpses.png' for n in names], gifs=[f'glimpses/{n}_glimpses.gif' for n in names])


def headline(curve: dict, policies: list[dict], timing: dict, seed: int) -> dict:
    """``results.json``: the baseline, the glance alone, the cheapest budget point that matches the
    baseline, the best point, the ratios and the policy comparison."""
    baseline = curve['baseline']
    matched = matched_point(curve)
    best = max(curve['points'], key=lambda p: (p['top1'], -p['mean_gmacs']))

    def summary(point):
        return dict(top1=point['top1'], gmacs_per_clip=point['mean_gmacs'])

    time_ratio = timing['gfnet']['median_ms'] / timing['baseline']['median_ms']
    return {'split': 'val', 'seed': seed, 'num_val_clips': curve['eval_clips'],
            'baseline': dict(top1=baseline['top1'], gmacs_per_clip=baseline['gmacs'],
                             cpu_ms_per_clip=timing['baseline']['median_ms']),
            'glance_top1': curve['anytime'][0]['top1'],
            'gfnet_matched': dict(summary(matched), thresholds=matched['thresholds'],
                                  cpu_ms_per_clip=timing['gfnet']['median_ms']) if matched else None,
            'gfnet_best': summary(best),
            'gmacs_ratio': matched['mean_gmacs'] / baseline['gmacs'] if matched else None,
            'time_ratio': time_ratio if matched else None,
            'timing': timing,
            'policy_vs_random': policies}


def _pct(value) -> str:
    return '-' if value is None else f'{100 * value:.1f}%'


def _ratio(value) -> str:
    return '-' if value is None else f'{value:.3f}'


def follow_up_commands(out: str, data: str) -> list[str]:
    """The next commands a user runs on this demo's own outputs (a work dir stands for its final
    checkpoint)."""
    rel = os.path.relpath
    stage3, data = rel(os.path.join(out, 'train', 'gfnet', 'stage3')), rel(data)
    video = os.path.join(data, 'videos', '1.webm')
    return [
        f'python tools/recognize.py {rel(STAGE3_CONFIG)} {stage3} {video} '
        f'--thresholds {rel(os.path.join(out, "budget", "thresholds.json"))}',
        f'python tools/test.py {rel(STAGE3_CONFIG)} {stage3} --data-root {data} --adaptive '
        f'{rel(os.path.join(out, "budget", "thresholds.json"))}',
        f'python tools/visualize.py {rel(STAGE3_CONFIG)} {stage3} {video} --out {rel(os.path.join(out, "my_glimpses"))}',
    ]


def write_report(out: str, counts: dict, curve: dict, results: dict, images: dict, steps: Steps, quick: bool,
                 commands: list[str]) -> None:
    baseline, timing = results['baseline'], results['timing']
    lines = ['# gfvideo demo report', '',
             f'Synthetic spatial-redundancy benchmark (Something-Something V2 layout, seed {results["seed"]}): '
             f'{counts["train"]} training clips, {counts["calib"]} held-out calibration clips, {counts["val"]} '
             f'validation clips. Everything trained from scratch on this machine ({os.cpu_count()} CPU threads) in '
             f'{steps.seconds / 60:.1f} minutes.', '']
    if quick:
        lines += ['**--quick run: a few clips and one epoch per stage; the numbers below mean nothing.**', '']
    lines += ['## Accuracy against compute (validation split)', '', '![budget curve](budget/budget_curve.png)', '',
              '| model | top-1 | GMACs per clip | CPU ms per clip |', '|---|---|---|---|',
              f'| TSM baseline (full frame) | {_pct(baseline["top1"])} | {baseline["gmacs_per_clip"]:.3f} | '
              f'{baseline["cpu_ms_per_clip"]:.2f} |',
              f'| GFNet, glance alone (step 0) | {_pct(results["glance_top1"])} | {curve["step_gmacs"][0]:.3f} | - |']
    matched, best = results['gfnet_matched'], results['gfnet_best']
    lines.append('| GFNet, cheapest point matching the baseline (early exit) | ' + (
        'not reached | - | - |' if matched is None else
        f'{_pct(matched["top1"])} | {matched["gmacs_per_clip"]:.3f} | {matched["cpu_ms_per_clip"]:.2f} |'))
    lines.append(f'| GFNet, most accurate point | {_pct(best["top1"])} | {best["gmacs_per_clip"]:.3f} | - |')
    lines += ['', f'GMACs ratio at the baseline\'s accuracy: {_ratio(results["gmacs_ratio"])}; wall-time ratio: '
              f'{_ratio(results["time_ratio"])}. Times are medians of {timing["repeats"]} interleaved repeats over '
              f'the validation clips at batch {timing["batch_size"]} on {timing["threads"]} CPU threads, decoding '
              f'excluded (spread: baseline {timing["baseline"]["min_ms"]:.2f}-{timing["baseline"]["max_ms"]:.2f} ms, '
              f'GFNet {timing["gfnet"]["min_ms"]:.2f}-{timing["gfnet"]["max_ms"]:.2f} ms per clip); early exit drops '
              'finished clips from the batch.', '',
              '### Every budget point (real early-exit runtime, one run each)', '',
              '| mean GMACs | top-1 | top-5 | CPU ms per clip | exits per step |', '|---|---|---|---|---|']
    for point in sorted(curve['points'], key=lambda p: p['mean_gmacs']):
        lines.append(f'| {point["mean_gmacs"]:.3f} | {_pct(point["top1"])} | {_pct(point["top5"])} | '
                     f'{point["mean_latency_ms"]:.1f} | {point["exit_histogram"]} |')
    lines += ['', '### Fixed number of steps (no early exit)', '', '| steps | cumulative GMACs | top-1 |',
              '|---|---|---|']
    lines += [f'| {p["step"]} | {p["gmacs"]:.3f} | {_pct(p["top1"])} |' for p in curve['anytime']]
    names = [('learned', 'learned policy'), ('random', 'uniform random'), ('center', 'frame centre'),
             ('motion', 'motion peak (label-free heuristic)'), ('oracle', 'oracle (centred on the object)')]
    lines += ['', '## Does the policy find the moving object?', '',
              'Top-1 after k focus steps, and the hit rate (fraction of frames whose patch holds the moving '
              'object\'s centre, from `annotations/actor_boxes.json`, which no training stage reads):', '',
              '| focus steps | ' + ' | '.join(label for _, label in names) + ' |',
              '|---|' + '---|' * len(names)]
    for row in results['policy_vs_random']:
        cells = [f'{_pct(row.get(f"{key}_top1"))} (hit {_ratio(row.get(f"{key}_hit"))})' for key, _ in names]
        lines.append(f'| {row["focus_steps"]} | ' + ' | '.join(cells) + ' |')
    lines += ['', '## Where the model looked', '',
              'Each step\'s patch as a dashed outline in its own colour, with the true class and the prediction '
              'after every step (step 0 = glance); no patch is drawn after the exit step:', '']
    lines += [f'![glimpses]({png}) ([animation]({gif}))' for png, gif in zip(images['pngs'], images['gifs'])]
    lines += ['', 'Features of these videos (glance, focus, boxes, per-step logits) are in `features/`.', '',
              '## Step durations', '', '| step | seconds |', '|---|---|']
    lines += [f'| {name} | {seconds:.0f} |' for name, seconds in steps.durations.items()]
    lines += ['', '## Next: the same tools on these outputs', '', '```bash', *commands, '```', '']
    atomic_write_lines(os.path.join(out, 'report.md'), lines)


def print_headline(results: dict) -> None:
    rows = [('TSM baseline', results['baseline']['top1'], results['baseline']['gmacs_per_clip']),
            ('GFNet glance alone', results['glance_top1'], None)]
    if results['gfnet_matched']:
        rows.append(('GFNet early exit, matched', results['gfnet_matched']['top1'],
                     results['gfnet_matched']['gmacs_per_clip']))
    rows.append(('GFNet most accurate', results['gfnet_best']['top1'], results['gfnet_best']['gmacs_per_clip']))
    print(f'\n{"":28} {"top-1":>7} {"GMACs":>7}')
    for name, top1, gmacs in rows:
        print(f'{name:28} {_pct(top1):>7} {"-" if gmacs is None else f"{gmacs:.3f}":>7}')
    one_step = results['policy_vs_random'][0]
    print(f'GMACs ratio {_ratio(results["gmacs_ratio"])}, time ratio {_ratio(results["time_ratio"])}')
    print('one focus step, top-1 (hit rate): ' + ', '.join(
        f'{key} {_pct(one_step.get(f"{key}_top1"))} ({_ratio(one_step.get(f"{key}_hit"))})'
        for key in ('learned', 'random', 'center', 'motion', 'oracle')))


def main(argv=None) -> int:
    args = parse_args(argv)
    sizes = SIZES['quick' if args.quick else 'full']
    out = os.path.abspath(args.out)
    data = os.path.join(out, 'data')
    steps = Steps(out)
    seed = args.seed
    counts = steps.run('data', 'writing the synthetic benchmark', make_data, data, sizes, seed)
    baseline = steps.run('train_baseline', 'training the full-frame TSM baseline', train_baseline, out, data, sizes,
                         seed)
    gfnet = steps.run('train_gfnet', 'training GlanceFocusNet stages 1-3', train_gfnet, out, data, sizes, seed)
    curve = steps.run('budgets', 'calibrating and evaluating early exit', evaluate_budgets, out, data, gfnet,
                      baseline, seed)
    policies = steps.run('policies', 'comparing patch locations', compare_policies, data, gfnet)
    timing = steps.run('timing', 'timing baseline vs early exit', time_models, data, gfnet, baseline, curve,
                       sizes['repeats'])
    images = steps.run('pictures', 'extracting features, drawing glimpses', pictures, out, data, gfnet,
                       os.path.join(out, 'budget'))
    results = headline(curve, policies, timing, seed)
    atomic_write_json(os.path.join(out, 'results.json'), results)
    commands = follow_up_commands(out, data)
    write_report(out, counts, curve, results, images, steps, args.quick, commands)
    print_headline(results)
    print(f'\n[demo] report: {os.path.relpath(os.path.join(out, "report.md"))} '
          f'(results.json beside it), {steps.seconds / 60:.1f} minutes in all')
    print('[demo] next, on these outputs:\n  ' + '\n  '.join(commands))
    return 0


if __name__ == '__main__':
    sys.exit(main())
