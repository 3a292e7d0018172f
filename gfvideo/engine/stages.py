"""GlanceFocusNet's training stages: a recipe's stage configs, finished stages, their chaining.

A recipe's stage 2 and 3 configs lie next to its stage 1 config, named alike: ``stage1`` ->
``stage2``, ``stage3``, and where the names give epochs (``-50e_``) or GPUs x batch (``_8xb8-``),
each stage's own (``-15e_``, ``_1xb64-``). A recipe may go on past stage 3 with ``stage4``,
``stage5``, ... named alike, each training the previous stage's model again in the way its
``model.train_stage`` says (a second PPO round on the fine-tuned focus network: ``train_stage=2``).
Each stage trains in ``<work dir>/stage<k>`` and starts from the previous stage's final
checkpoint (``load_from`` is the previous stage's work dir, whose ``last_checkpoint`` names it).
A stage whose work dir holds its last epoch's checkpoint is finished and is not trained again.
A stage config's ``stage_retry`` rule trains a stalled stage again with other training seeds
(:mod:`.stage_retry`); the next stage starts from its best run. ``<work dir>/stages.json``
records, after each stage, the runs it trained, their scores and the run that went on
(:func:`read_stage_record`). The last stage's config and checkpoint are the recipe's final model.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Callable, Sequence
from typing import Any

from mmengine.config import Config, DictAction

from ..config import load_config
from ..fileio import atomic_write_json
from ..resources import find_config
from .stage_retry import RetryRule, StageRetryError, best_run, retry_rule, train_with_retries

#: The stages every recipe has; later ones (``stage4``, ...) are optional.
STAGES = (1, 2, 3)
#: An epoch count in a config name (``..._8xb8-1x1x8-50e_sthv1-rgb.py``): each stage's name gives its own.
EPOCHS = re.compile(r'(?<=[-_])\d+e(?=[-_.])')
#: GPUs x clips per GPU in a config name (``_8xb8-``): each stage's name gives its own.
BATCH = re.compile(r'(?<=_)\d+xb\d+(?=-)')
#: The record of a ``train_stages`` work dir: one entry per stage (:func:`read_stage_record`).
STAGE_RECORD = 'stages.json'


def _stage_free(name: str) -> str:
    """A config name with its epoch count and batch left open."""
    return BATCH.sub('{G}xb{B}', EPOCHS.sub('{N}e', name))


#: Trains one stage: ``(config, work_dir, cfg_options) -> exit status`` (0: trained). It resumes
#: an unfinished run in ``work_dir``; ``cfg_options`` are ``key=value`` strings.
StageTrainer = Callable[[str, str, list[str]], int]


class StageError(RuntimeError):
    """A stage config that cannot be found, or a stage that did not finish."""


class StageFailedError(StageError):
    """A stage's training ended with a non-zero exit status (``status``)."""

    def __init__(self, stage: int, status: int) -> None:
        super().__init__(f'stage {stage} failed with exit status {status}')
        self.stage, self.status = stage, status


def stage_config(stage1_config: str, stage: int) -> str | None:
    """The stage's config next to ``stage1_config``: the same name with ``stage1`` ->
    ``stage<stage>`` and any epoch count and batch; None if there is none. Several candidates raise
    :class:`StageError`."""
    folder, name = os.path.split(stage1_config)
    name = name.replace('stage1', f'stage{stage}')
    if os.path.exists(os.path.join(folder, name)):
        return os.path.join(folder, name)
    pattern = _stage_free(name)
    matches = sorted(other for other in os.listdir(folder or '.') if _stage_free(other) == pattern)
    if len(matches) > 1:
        raise StageError(f'{stage1_config}: several stage {stage} configs next to it: {", ".join(matches)}')
    return os.path.join(folder, matches[0]) if matches else None


def stage_configs(stage1_config: str) -> list[str]:
    """The configs of stages 1, 2, 3 and any later ones (up to the first stage number without a
    config) of the recipe whose stage 1 config is ``stage1_config`` (a path or a shipped recipe's
    name); :class:`StageError` when its name lacks ``stage1`` or a stage config of stages 1-3 is
    missing, or any is ambiguous."""
    try:
        stage1_config = find_config(stage1_config)
    except FileNotFoundError as error:
        raise StageError(str(error)) from None
    if 'stage1' not in os.path.basename(stage1_config):
        raise StageError(f'{stage1_config}: expected a stage 1 config (with "stage1" in its name)')
    configs = []
    for stage in STAGES:
        config = stage_config(stage1_config, stage)
        if config is None:
            raise StageError(f'{stage1_config}: no stage {stage} config next to it (its name with "stage{stage}")')
        configs.append(config)
    while (config := stage_config(stage1_config, len(configs) + 1)) is not None:
        configs.append(config)
    return configs


def final_checkpoint(config: str, work_dir: str, cfg_options: Sequence[str] = ()) -> str | None:
    """The stage's last checkpoint if the stage has finished in ``work_dir`` (``last_checkpoint``
    names its last epoch's ``epoch_<max_epochs>.pth``, which exists), else None. ``cfg_options``
    (``key=value`` strings) may change the epoch count."""
    pointer = os.path.join(work_dir, 'last_checkpoint')
    if not os.path.exists(pointer):
        return None
    cfg = _load(config, cfg_options)
    with open(pointer, encoding='utf-8') as file:
        path = file.read().strip()
    expected = os.path.join(work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    return path if os.path.abspath(path) == os.path.abspath(expected) and os.path.exists(path) else None


def train_stages(
    stage1_config: str,
    train: StageTrainer,
    work_dir: str | None = None,
    cfg_options: Sequence[str] = (),
    report: Callable[[str], None] = print,
) -> str:
    """Train stages 1 -> 2 -> 3 (-> any later ones) in ``work_dir/stage<k>`` with ``train``,
    skipping finished stages; returns the last stage's final checkpoint.

    ``work_dir`` defaults to ``work_dirs/<stage 1 config name>``; every stage gets
    ``cfg_options``, and every stage after the first ``load_from`` the previous stage's work dir. ``report``
    gets one line per stage, per retry and one at the end; after each stage ``work_dir/stages.json``
    records its runs (:func:`read_stage_record`). Raises :class:`StageError` for missing
    stage configs or malformed ``stage_retry`` rules (before any training) and
    :class:`StageFailedError` when a stage fails.
    """
    root = work_dir or os.path.join('work_dirs', os.path.splitext(os.path.basename(stage1_config))[0])
    configs = stage_configs(stage1_config)
    rules = [_stage_retry_rule(stage, config, cfg_options) for stage, config in enumerate(configs, start=1)]
    if rules[-1] is not None:
        last = configs[-1]
        raise StageError(f'{last}: the last stage cannot have a stage_retry rule (its dir holds the final model)')
    previous, final = None, ''
    record: list[dict[str, Any]] = []
    for stage, (config, rule) in enumerate(zip(configs, rules), start=1):
        stage_dir = os.path.join(root, f'stage{stage}')
        options = list(cfg_options) + ([f'load_from={previous}'] if previous else [])
        if rule is None:
            done = _train_stage(stage, config, stage_dir, options, train, report)
            runs: list[dict[str, Any]] = [dict(work_dir=stage_dir, score=None, checkpoint=done)]
            chosen, retry = runs[0], None
        else:
            runs = _retrain_stalled(stage, config, stage_dir, options, rule, train, report)
            chosen, retry = best_run(runs), rule.threshold()
        record.append(dict(stage=stage, config=config, stage_retry=retry, runs=runs, chosen=chosen['work_dir']))
        atomic_write_json(os.path.join(root, STAGE_RECORD), record)
        previous, final = chosen['work_dir'], chosen['checkpoint']
    report(f'all stages finished: {final}')
    return final


def read_stage_record(work_dir: str) -> list[dict[str, Any]] | None:
    """What :func:`train_stages` trained in ``work_dir``, one entry per finished stage: ``stage``,
    ``config``, ``stage_retry`` (its ``metric`` and ``below``, or None), ``runs`` (each run's
    ``work_dir``, last validation ``score`` (None without a rule) and final ``checkpoint``) and
    ``chosen`` (the work dir of the run the next stage started from); None where ``work_dir`` has
    no record."""
    path = os.path.join(work_dir, STAGE_RECORD)
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf-8') as file:
        return json.load(file)


def _train_stage(
    stage: int, config: str, stage_dir: str, options: list[str], train: StageTrainer, report: Callable[[str], None]
) -> str:
    """Train one stage in ``stage_dir`` unless it has finished there; its final checkpoint."""
    done = final_checkpoint(config, stage_dir, options)
    if done:
        report(f'stage {stage}: already finished ({done})')
        return done
    report(f'stage {stage}: training {config} in {stage_dir}')
    status = train(config, stage_dir, options)
    if status:
        raise StageFailedError(stage, status)
    done = final_checkpoint(config, stage_dir, options)
    if done is None:
        raise StageError(f'stage {stage} ended without its final checkpoint in {stage_dir}')
    return done


def _stage_retry_rule(stage: int, config: str, cfg_options: Sequence[str]) -> RetryRule | None:
    try:
        return retry_rule(_load(config, cfg_options))
    except StageRetryError as error:
        raise StageError(f'stage {stage} ({config}): {error}') from None


def _retrain_stalled(
    stage: int,
    config: str,
    stage_dir: str,
    options: list[str],
    rule: RetryRule,
    train: StageTrainer,
    report: Callable[[str], None],
) -> list[dict[str, Any]]:
    """The stage's runs: the first in ``stage_dir``, then again (``stage<k>-retry<n>``, training seed
    ``seed + n``) while every run ends under ``rule.below``; each with its score."""
    seed = _load(config, options).get('randomness', {}).get('seed')

    def train_run(run_dir: str, run_seed: int | None) -> str:
        # without a seed in the config, mmengine draws a new one for every run
        seeded = [f'randomness.seed={run_seed}'] if run_seed is not None else []
        return _train_stage(stage, config, run_dir, options + seeded, train, report)

    try:
        return train_with_retries(
            f'stage {stage}', stage_dir, rule, seed if isinstance(seed, int) else None, train_run, report
        )
    except StageRetryError as error:
        raise StageError(f'stage {stage}: {error}') from None


def _load(config: str, cfg_options: Sequence[str]) -> Config:
    """The config with ``key=value`` options applied."""
    return load_config(config, _options_dict(cfg_options) if cfg_options else None)


def _options_dict(cfg_options: Sequence[str]) -> dict:
    """``key=value`` strings as ``--cfg-options`` reads them (values parsed as lists, tuples, numbers)."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--options', nargs='+', action=DictAction)
    return parser.parse_args(['--options', *cfg_options]).options
