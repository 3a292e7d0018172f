"""The demo's outputs: ``results.json``'s headline, ``report.md`` and the console summary."""

from __future__ import annotations

import os
from typing import Any

from ..fileio import atomic_write_lines
from .curve import REACH_TOLERANCE, best_point, matched_point
from .recipes import Recipe
from .steps import Steps

#: The patch locations the policy comparison reports, by key, with their report labels.
LOCATIONS = (
    ('learned', 'learned policy'),
    ('random', 'uniform random'),
    ('center', 'frame centre'),
    ('motion', 'motion peak (label-free heuristic)'),
    ('compensated_motion', 'camera-compensated motion peak (label-free heuristic)'),
    ('oracle', 'oracle (centred on the object)'),
)
#: The label-free heuristics among :data:`LOCATIONS`.
HEURISTICS = ('random', 'center', 'motion', 'compensated_motion')


def headline(
    curve: dict,
    policies: list[dict],
    timing: dict,
    control: dict,
    seed: int,
    benchmark: str,
    quick: bool,
    stages: list[dict] | None = None,
    baseline_runs: dict | None = None,
) -> dict[str, Any]:
    """``results.json``: the baseline, the glance alone, the cheapest budget point that reaches the
    baseline, the best point, the ratios, the policy comparison, the equal-compute control,
    GlanceFocusNet's stage runs (``train-all``'s record, ``stages``) and the baseline's runs
    (``baseline_runs``): which training was retried."""
    baseline = curve['baseline']
    matched = matched_point(curve)
    best = best_point(curve)

    def summary(point: dict) -> dict:
        return dict(top1=point['top1'], gmacs_per_clip=point['mean_gmacs'])

    time_ratio = timing['gfnet']['median_ms'] / timing['baseline']['median_ms']
    return {
        'benchmark': benchmark,
        'quick': quick,
        'split': 'val',
        'seed': seed,
        'num_val_clips': curve['eval_clips'],
        'baseline': dict(
            top1=baseline['top1'], gmacs_per_clip=baseline['gmacs'], cpu_ms_per_clip=timing['baseline']['median_ms']
        ),
        'glance_top1': curve['anytime'][0]['top1'],
        'gfnet_matched': dict(
            summary(matched), thresholds=matched['thresholds'], cpu_ms_per_clip=timing['gfnet']['median_ms']
        )
        if matched
        else None,
        'gfnet_best': summary(best),
        'gmacs_ratio': matched['mean_gmacs'] / baseline['gmacs'] if matched else None,
        'time_ratio': time_ratio if matched else None,
        'timing': timing,
        'policy_vs_random': policies,
        'equal_compute_static': {key: control[key] for key in ('top1', 'gmacs_per_clip', 'input_size')},
        'stage_runs': None if stages is None else [named_runs(entry) for entry in stages],
        'baseline_runs': baseline_runs,
    }


def named_runs(entry: dict) -> dict[str, Any]:
    """A training's record of runs (a stage of ``train-all``'s ``stages.json``, or the demo
    baseline's) as ``results.json`` keeps it: the stage's number where it has one, the retry
    rule's threshold, each run named by its work dir's name with its score, and the chosen run's
    name."""
    name = os.path.basename
    named = dict(
        stage_retry=entry['stage_retry'],
        runs=[dict(run=name(run['work_dir']), score=run['score']) for run in entry['runs']],
        chosen=name(entry['chosen']),
    )
    return dict(stage=entry['stage'], **named) if 'stage' in entry else named


def retry_sentences(stage_runs: list[dict] | None, baseline_runs: dict | None = None) -> list[str]:
    """A sentence for each training with a retry rule (GlanceFocusNet's stages with ``stage_retry``,
    the baseline's): whether its run ended under the threshold, the runs it took and the one that
    went on."""
    entries = [
        (f'Stage {entry["stage"]}', f'stage {entry["stage"] + 1} started from', entry)
        for entry in stage_runs or []
        if entry['stage_retry'] is not None
    ]
    if baseline_runs is not None:
        entries.append(('The full-frame baseline', 'the comparisons use', baseline_runs))
    sentences = []
    for name, goes_on, entry in entries:
        runs, metric, below = entry['runs'], entry['stage_retry']['metric'], entry['stage_retry']['below']
        if len(runs) == 1:
            sentences.append(
                f'{name} ended at validation {metric} {runs[0]["score"]:.4f}, at or over its retry threshold '
                f'{below:g}: trained once.'
            )
        else:
            scores = ', '.join(f'{run["run"]} {run["score"]:.4f}' for run in runs)
            sentences.append(
                f'{name} ended under its retry threshold (validation {metric} {below:g}) and was trained again '
                f'with the next training seed: {scores}; {goes_on} {entry["chosen"]}.'
            )
    return sentences


def closest_heuristic(row: dict) -> str:
    """A sentence naming the label-free heuristic closest to the learned policy after one focus
    step, and by how much."""
    label = dict(LOCATIONS)
    name = max(HEURISTICS, key=lambda key: row.get(f'{key}_top1', -1.0))
    gap = row['learned_top1'] - row[f'{name}_top1']
    return (
        f'After one focus step the label-free heuristic closest to the learned policy is the {label[name]} '
        f'({_pct(row[f"{name}_top1"])} top-1 against {_pct(row["learned_top1"])}: '
        f'{100 * gap:+.1f} points for the policy).'
    )


def attribute_table(rows: list[dict]) -> list[str]:
    """Report lines splitting each source's top-1 into the block's identity and its direction (the
    share of clips whose predicted class has the true one's), with the glance's alone; none where
    the rows carry no split (:func:`gfvideo.evaluation.compare_locations`' ``class_attributes``)."""
    if not rows or 'glance_identity_top1' not in rows[0]:
        return []
    first = rows[0]
    lines = [
        '',
        'Which half of the class each source reads: the share of clips whose predicted class has the '
        f"true block's identity / its direction (the glance alone: {_pct(first['glance_identity_top1'])} / "
        f'{_pct(first["glance_direction_top1"])}):',
        '',
        '| focus steps | ' + ' | '.join(label for _, label in LOCATIONS) + ' |',
        '|---|' + '---|' * len(LOCATIONS),
    ]
    for row in rows:
        cells = [
            f'{_pct(row.get(f"{key}_identity_top1"))} / {_pct(row.get(f"{key}_direction_top1"))}'
            for key, _ in LOCATIONS
        ]
        lines.append(f'| {row["focus_steps"]} | ' + ' | '.join(cells) + ' |')
    return lines


def _pct(value: float | None) -> str:
    return '-' if value is None else f'{100 * value:.1f}%'


def _ratio(value: float | None) -> str:
    return '-' if value is None else f'{value:.3f}'


def follow_up_commands(out: str, data: str, recipe: Recipe, baseline_dir: str | None = None) -> list[str]:
    """The next commands a user runs on this demo's own outputs, each after a comment line saying
    what it does (the README lists the same for ``work_dirs/demo``); shipped recipes by name, a
    work dir for its final checkpoint (the baseline's: ``baseline_dir``, by default its first run's)."""
    rel = os.path.relpath
    out, data = rel(out), rel(data)
    model = f'{recipe_name(recipe.final)} {os.path.join(out, "train", "gfnet", recipe.final_stage)}'
    thresholds = os.path.join(out, 'budget', 'thresholds.json')
    video = os.path.join(data, 'videos', '1.webm')
    baseline = f'{recipe_name(recipe.tsm)} {rel(baseline_dir or os.path.join(out, "train", "tsm_baseline"))}'
    return [
        '# thresholds for a budget of 0.05 GMACs per clip, evaluated with the real early-exit runtime',
        f'gfvideo evaluate-budget {model} --data-root {data} --budgets 0.05 --baseline {baseline} '
        f'--out {os.path.join(out, "budget_0.05")}',
        "# early exit on the validation split at the demo's thresholds, one CSV row per clip",
        f'gfvideo test {model} --data-root {data} --adaptive {thresholds} --per-clip {os.path.join(out, "clips.csv")}',
        '# glance/focus features, boxes (video pixels) and per-step logits, one .npz per video; resumable',
        f'gfvideo extract-features {model} --list {os.path.join(data, "lists", "val.txt")} --media-root {data} '
        f'--out {os.path.join(out, "features_val")} --resume',
        '# where it looked: the whole frames, one row per step with its patch, up to the exit step (PNG + GIF)',
        f'gfvideo visualize {model} {video} --thresholds {thresholds} --out {os.path.join(out, "my_glimpses")}',
        '# one video: the top-5 class names and scores, the exit step and its GMACs (and the picture)',
        f'gfvideo recognize {model} {video} --thresholds {thresholds} --out-picture {os.path.join(out, "1.png")}',
        '# the model as ONNX graphs with its thresholds, then one video through onnxruntime (no torch needed)',
        f'gfvideo export {model} --thresholds {thresholds} --out {os.path.join(out, "export")}',
        f'gfvideo recognize {os.path.join(out, "export")} {video} --json',
    ]


def recipe_name(config: str) -> str:
    """A shipped recipe's name: its file name without ``.py`` (``gfvideo`` commands take it)."""
    return os.path.splitext(os.path.basename(config))[0]


def write_report(
    out: str, counts: dict, curve: dict, results: dict, images: dict, steps: Steps, quick: bool, commands: list[str]
) -> None:
    """``<out>/report.md``: accuracy against compute, every budget point, the policy comparison,
    the pictures, the step durations and the follow-up commands."""
    baseline, timing = results['baseline'], results['timing']
    lines = [
        '# gfvideo demo report',
        '',
        f'Synthetic spatial-redundancy benchmark, {results["benchmark"]} scene (Something-Something V2 layout, '
        f'seed {results["seed"]}): '
        f'{counts["train"]} training clips, {counts["calib"]} held-out calibration clips, {counts["val"]} '
        f'validation clips. Everything trained from scratch on this machine ({os.cpu_count()} CPU threads) in '
        f'{steps.seconds / 60:.1f} minutes.',
        *retry_sentences(results['stage_runs'], results['baseline_runs']),
        '',
    ]
    if quick:
        lines += ['**--quick run: a few clips and one epoch per stage; the numbers below mean nothing.**', '']
    lines += [
        '## Accuracy against compute (validation split)',
        '',
        '![budget curve](budget/budget_curve.png)',
        '',
        '| model | top-1 | GMACs per clip | CPU ms per clip |',
        '|---|---|---|---|',
        f'| TSM baseline (full frame) | {_pct(baseline["top1"])} | {baseline["gmacs_per_clip"]:.3f} | '
        f'{baseline["cpu_ms_per_clip"]:.2f} |',
        f'| GFNet, glance alone (step 0) | {_pct(results["glance_top1"])} | {curve["step_gmacs"][0]:.3f} | - |',
    ]
    matched, best = results['gfnet_matched'], results['gfnet_best']
    lines.append(
        '| GFNet, cheapest point matching the baseline (early exit) | '
        + (
            'not reached | - | - |'
            if matched is None
            else f'{_pct(matched["top1"])} | {matched["gmacs_per_clip"]:.3f} | {matched["cpu_ms_per_clip"]:.2f} |'
        )
    )
    lines.append(f'| GFNet, most accurate point | {_pct(best["top1"])} | {best["gmacs_per_clip"]:.3f} | - |')
    control = results['equal_compute_static']
    lines.append(
        f'| TSM on frames downscaled to {control["input_size"]} px (equal-compute static control) | '
        f'{_pct(control["top1"])} | {control["gmacs_per_clip"]:.3f} | - |'
    )
    lines += [
        '',
        f'A point reaches the baseline when its top-1 is at most {100 * REACH_TOLERANCE:.1f} points below the '
        "baseline's. The equal-compute control is the baseline's architecture and recipe on whole frames "
        "downscaled until its GMACs match GFNet's at that point (else its most accurate point).",
        '',
        f"GMACs ratio at the baseline's accuracy: {_ratio(results['gmacs_ratio'])}; wall-time ratio: "
        f'{_ratio(results["time_ratio"])}. Times are medians of {timing["repeats"]} interleaved repeats over '
        f'the validation clips at batch {timing["batch_size"]} on {timing["threads"]} CPU threads, decoding '
        f'excluded (spread: baseline {timing["baseline"]["min_ms"]:.2f}-{timing["baseline"]["max_ms"]:.2f} ms, '
        f'GFNet {timing["gfnet"]["min_ms"]:.2f}-{timing["gfnet"]["max_ms"]:.2f} ms per clip); early exit drops '
        'finished clips from the batch.',
        '',
        '### Every budget point (real early-exit runtime, one run each)',
        '',
        '| mean GMACs | top-1 | top-5 | CPU ms per clip | exits per step |',
        '|---|---|---|---|---|',
    ]
    for point in sorted(curve['points'], key=lambda p: p['mean_gmacs']):
        lines.append(
            f'| {point["mean_gmacs"]:.3f} | {_pct(point["top1"])} | {_pct(point["top5"])} | '
            f'{point["mean_latency_ms"]:.1f} | {point["exit_histogram"]} |'
        )
    lines += [
        '',
        '### Fixed number of steps (no early exit)',
        '',
        '| steps | cumulative GMACs | top-1 |',
        '|---|---|---|',
    ]
    lines += [f'| {p["step"]} | {p["gmacs"]:.3f} | {_pct(p["top1"])} |' for p in curve['anytime']]
    lines += [
        '',
        '## Does the policy find the moving object?',
        '',
        'Top-1 after k focus steps, and the hit rate (fraction of frames whose patch holds the moving '
        "object's centre, from `annotations/actor_boxes.json`, which no training stage reads):",
        '',
        '| focus steps | ' + ' | '.join(label for _, label in LOCATIONS) + ' |',
        '|---|' + '---|' * len(LOCATIONS),
    ]
    for row in results['policy_vs_random']:
        cells = [f'{_pct(row.get(f"{key}_top1"))} (hit {_ratio(row.get(f"{key}_hit"))})' for key, _ in LOCATIONS]
        lines.append(f'| {row["focus_steps"]} | ' + ' | '.join(cells) + ' |')
    lines += ['', closest_heuristic(results['policy_vs_random'][0])]
    lines += attribute_table(results['policy_vs_random'])
    lines += [
        '',
        '## Where the model looked',
        '',
        "Each step's patch as a dashed outline in its own colour, with the true class and the prediction "
        'after every step (step 0 = glance); no patch is drawn after the exit step:',
        '',
    ]
    lines += [f'![glimpses]({png}) ([animation]({gif}))' for png, gif in zip(images['pngs'], images['gifs'])]
    lines += [
        '',
        'Features of these videos (glance, focus, boxes, per-step logits) are in `features/`.',
        '',
        '## Step durations',
        '',
        '| step | seconds |',
        '|---|---|',
    ]
    lines += [f'| {name} | {seconds:.0f} |' for name, seconds in steps.durations.items()]
    lines += ['', '## Next: the same tools on these outputs', '', '```bash', *commands, '```', '']
    atomic_write_lines(os.path.join(out, 'report.md'), lines)


def print_headline(results: dict) -> None:
    """The console table: top-1 and GMACs of the baseline and GFNet, the ratios, one focus step's
    policy comparison."""
    rows = [
        ('TSM baseline', results['baseline']['top1'], results['baseline']['gmacs_per_clip']),
        ('GFNet glance alone', results['glance_top1'], None),
    ]
    if results['gfnet_matched']:
        rows.append(
            ('GFNet early exit, matched', results['gfnet_matched']['top1'], results['gfnet_matched']['gmacs_per_clip'])
        )
    rows.append(('GFNet most accurate', results['gfnet_best']['top1'], results['gfnet_best']['gmacs_per_clip']))
    control = results['equal_compute_static']
    rows.append((f'TSM at {control["input_size"]} px (equal GMACs)', control['top1'], control['gmacs_per_clip']))
    if results['quick']:
        print('\n[demo] --quick: a few clips and one epoch per stage; these numbers mean nothing')
    print(f'\n{"":28} {"top-1":>7} {"GMACs":>7}')
    for name, top1, gmacs in rows:
        print(f'{name:28} {_pct(top1):>7} {"-" if gmacs is None else f"{gmacs:.3f}":>7}')
    one_step = results['policy_vs_random'][0]
    for sentence in retry_sentences(results['stage_runs'], results['baseline_runs']):
        print(sentence)
    print(f'GMACs ratio {_ratio(results["gmacs_ratio"])}, time ratio {_ratio(results["time_ratio"])}')
    print(
        'one focus step, top-1 (hit rate): '
        + ', '.join(
            f'{key} {_pct(one_step.get(f"{key}_top1"))} ({_ratio(one_step.get(f"{key}_hit"))})' for key, _ in LOCATIONS
        )
    )
