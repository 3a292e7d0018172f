"""Every shipped config parses, builds its model and samples the model's frame count."""

import ast
import glob
import os
import re
import shutil

import numpy as np
import pytest
from mmengine.config import Config

from gfvideo.data import Flip
from gfvideo.demo import recipes
from gfvideo.engine.config_checks import check_frame_count, model_num_segments
from gfvideo.engine.runner import SkippingEpochBasedTrainLoop
from gfvideo.engine.stages import stage_configs
from gfvideo.registry import LOOPS, MODELS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Every config in configs/ and its folders (configs/recognition/gfnet, configs/recognition/tsm,
#: ...), not the _base_ parts they are made of: the recipes, under their mmaction2 1.x names.
CONFIGS = sorted(
    path
    for path in glob.glob(os.path.join(ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in os.path.relpath(path, ROOT).split(os.sep)
)
#: mmaction2 1.x's naming, {model}_[model setting]_{backbone}_{NxB}-{sampling}-{schedule}_{dataset}-{modality}:
#: the stage is GlanceFocusNet's model setting, the sampling TSN's 1x1x{num_segments}; a dataset may
#: name its variant (``synthetic-busy``: the synthetic benchmark's busy scene).
NAME = re.compile(
    r'(?P<model>[a-z0-9]+)_(?:stage(?P<stage>\d)_)?(?P<backbone>[a-z0-9-]+)_'
    r'(?P<gpus>\d+)xb(?P<batch>\d+)-1x1x(?P<segments>\d+)-(?P<epochs>\d+)e_'
    r'(?P<dataset>[a-z0-9]+(?:-[a-z0-9]+)?)-(?P<modality>[a-z]+)\.py'
)


def fits_stage(train_stage: int, stage: int) -> bool:
    """A stage config's ``model.train_stage`` is its stage's for stages 1-3; later stages repeat
    PPO (2) or the fine-tune (3)."""
    return train_stage == stage if stage <= 3 else train_stage in (2, 3)


def config_id(path: str) -> str:
    return os.path.relpath(path, os.path.join(ROOT, 'configs'))


def test_every_config_folder_is_searched():
    folders = {os.path.dirname(config_id(path)) for path in CONFIGS}
    assert folders == {os.path.join('recognition', 'gfnet'), os.path.join('recognition', 'tsm')}


def test_there_are_recipes_for_every_dataset():
    names = [os.path.basename(path) for path in CONFIGS]
    for dataset in ('sthv1', 'sthv2', 'kinetics400', 'synthetic'):
        assert any(dataset in name for name in names), dataset


@pytest.mark.parametrize('path', CONFIGS, ids=config_id)
def test_a_config_name_tells_its_recipe(path):
    match = NAME.fullmatch(os.path.basename(path))
    assert match, 'not named as mmaction2 1.x names its configs (configs/README.md)'
    cfg = Config.fromfile(path)
    model = {'TSM': 'tsm', 'GlanceFocusNet': 'gfnet'}[cfg.model.type]
    assert match['model'] == model and (match['stage'] is None) == (model == 'tsm')
    assert os.path.dirname(config_id(path)) == os.path.join('recognition', model)
    assert int(match['batch']) == cfg.train_dataloader.batch_size
    assert int(match['gpus']) * int(match['batch']) == cfg.auto_scale_lr.base_batch_size
    assert int(match['segments']) == model_num_segments(cfg.model.to_dict()) == cfg.num_segments
    assert int(match['epochs']) == cfg.train_cfg.max_epochs
    synthetic = match['dataset'] in ('synthetic', 'synthetic-busy')  # the benchmark's two scenes
    assert cfg.data_root == ('work_dirs/demo/data' if synthetic else f'data/{match["dataset"]}')


def top_level_names(path: str) -> dict:
    """The names a config file assigns itself, with their value's source text."""
    text = open(path, encoding='utf-8').read()
    return {
        target.id: ast.get_source_segment(text, node.value)
        for node in ast.parse(text).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


@pytest.mark.parametrize('path', [path for path in CONFIGS if 'stage' in os.path.basename(path)], ids=config_id)
def test_a_stage_takes_its_schedule_from_the_base_schedules(path):
    names = top_level_names(path)
    assert not names.keys() & {'optim_wrapper', 'param_scheduler', 'train_cfg', 'max_epochs'}
    bases = ast.literal_eval(names['_base_'])
    assert len([base for base in bases if base.startswith('../../_base_/schedules/')]) == 1


@pytest.mark.parametrize('path', CONFIGS, ids=config_id)
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'gfvideo' and cfg.train_dataloader.sampler.type == 'EpochIndexSampler'
    assert LOOPS.get(cfg.train_cfg.type) is SkippingEpochBasedTrainLoop  # named, found in gfvideo's registry
    model_cfg = cfg.model.to_dict()
    for name in ('backbone', 'glance_backbone', 'focus_backbone'):
        if name in model_cfg:
            model_cfg[name]['pretrained'] = None  # ImageNet weights are not downloaded in tests
    model = MODELS.build(model_cfg)
    outputs = model.num_classes if hasattr(model, 'num_classes') else model.fc.out_features
    assert outputs == cfg.model.num_classes
    if 'stage' in os.path.basename(path):
        assert fits_stage(model.train_stage, int(os.path.basename(path).split('stage')[1][0]))


BAD_CONFIG_CHANGES = {
    'no_train_dataloader': ({'train_dataloader': None}, r'train_dataloader is None; a training run needs'),
    'no_model': ({'model': None}, r'model is None; a training run needs model=dict'),
    'num_segments_string': (
        {'model.glance_backbone.num_segments': '4'},
        r"model\.glance_backbone\.num_segments is '4'; expected an integer >= 1",
    ),
    'max_epochs_negative': ({'train_cfg.max_epochs': -1}, r'train_cfg\.max_epochs is -1; expected an integer >= 1'),
    'batch_size_zero': ({'train_dataloader.batch_size': 0}, r'train_dataloader\.batch_size is 0'),
    'num_classes_float': ({'model.num_classes': 2.5}, r'model\.num_classes is 2\.5'),
    'pipeline_num_segments_bool': (
        {'train_dataloader.dataset.pipeline.1.num_segments': True},
        r'train_dataloader\.dataset\.pipeline\[1\]\.num_segments is True',
    ),
}


@pytest.mark.parametrize('case', sorted(BAD_CONFIG_CHANGES))
def test_malformed_configs_are_refused_with_the_key_named(case):
    from gfvideo.engine.config_checks import ConfigError, check_config

    changes, expected = BAD_CONFIG_CHANGES[case]
    cfg = Config.fromfile(os.path.join(ROOT, 'tests', 'cli', 'configs', 'gfnet_tiny-stage1.py'))
    for key, value in changes.items():
        if '.' in key:
            cfg.merge_from_dict({key: value})
        else:
            cfg[key] = value
    with pytest.raises(ConfigError, match=expected):
        check_config(cfg, training=True)


@pytest.mark.parametrize('path', CONFIGS, ids=config_id)
def test_pipelines_sample_the_models_frame_count(path):
    check_frame_count(Config.fromfile(path), ['train_dataloader', 'val_dataloader', 'test_dataloader'])


#: A config line that sets num_segments to a number.
NUM_SEGMENTS = re.compile(r'num_segments\s*=\s*\d')


def config_bases(path: str) -> list:
    """The files a config's ``_base_`` names."""
    bases = top_level_names(path).get('_base_')
    bases = ast.literal_eval(bases) if bases else []
    return [
        os.path.normpath(os.path.join(os.path.dirname(path), base))
        for base in ([bases] if isinstance(bases, str) else bases)
    ]


def num_segments_setters(path: str) -> list:
    """The files of a config's inheritance tree that set num_segments to a number."""
    own = [path] if NUM_SEGMENTS.search(open(path, encoding='utf-8').read()) else []
    return own + [setter for base in config_bases(path) for setter in num_segments_setters(base)]


def test_only_the_dataset_bases_set_num_segments():
    files = glob.glob(os.path.join(ROOT, 'configs', '**', '*.py'), recursive=True)
    setters = sorted(config_id(path) for path in files if NUM_SEGMENTS.search(open(path, encoding='utf-8').read()))
    bases = ('sthv1_frames.py', 'synthetic_sthv2.py')
    assert setters == [os.path.join('_base_', 'datasets', name) for name in bases]


@pytest.mark.parametrize('path', CONFIGS, ids=config_id)
def test_num_segments_set_in_one_place_reaches_the_pipelines_and_the_model(path, tmp_path):
    """A recipe's frames per clip are one top-level variable, num_segments, of its dataset base:
    changing it there changes every SampleFrames and every backbone of the recipe."""
    (setter,) = num_segments_setters(path)
    copy = tmp_path / 'configs'
    shutil.copytree(os.path.join(ROOT, 'configs'), copy)
    target = copy / config_id(setter)
    text, changed = re.subn(r'^num_segments = \d+', 'num_segments = 5', target.read_text(), flags=re.M)
    assert changed == 1
    target.write_text(text)
    cfg = Config.fromfile(str(copy / config_id(path)))
    samplers = [
        transform.num_segments
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
        for transform in cfg[loader].dataset.pipeline
        if transform.type == 'SampleFrames'
    ]
    backbones = [
        cfg.model[name].num_segments for name in ('backbone', 'glance_backbone', 'focus_backbone') if name in cfg.model
    ]
    assert len(samplers) >= 2 and backbones and set(samplers) == set(backbones) == {5}
    check_frame_count(cfg, ['train_dataloader', 'val_dataloader', 'test_dataloader'])
    assert Config.fromfile(path).num_segments == 8  # the shipped recipes: 8 frames


STAGE1_CONFIGS = [path for path in CONFIGS if 'stage1' in os.path.basename(path)]


@pytest.mark.parametrize('path', STAGE1_CONFIGS, ids=config_id)
def test_train_all_finds_each_recipes_later_stages(path):
    configs = stage_configs(path)
    assert configs[0] == path
    for stage, found in enumerate(configs[1:], start=2):
        assert os.path.dirname(found) == os.path.dirname(path)
        assert fits_stage(Config.fromfile(found).model.train_stage, stage)


@pytest.mark.parametrize('benchmark', recipes.BENCHMARKS)
def test_the_demo_evaluates_the_last_stage_train_all_trains(benchmark):
    recipe = recipes.RECIPES[benchmark]
    assert stage_configs(recipe.gfnet)[-1] == recipe.final
    for path in (recipe.gfnet, recipe.final, recipe.tsm):
        assert os.path.realpath(path) in map(os.path.realpath, CONFIGS)  # shipped: configs/ itself
    assert recipes.RECIPES['static'].gfnet == recipes.GFNET_CONFIG


@pytest.mark.parametrize(
    'classes, pairs',
    [('sthv2_classes.txt', {86: 87, 93: 94, 166: 167}), ('sthv1_classes_csv_order.txt', {2: 4, 30: 41, 52: 66})],
)
def test_the_recipes_flip_example_swaps_something_something_pairs(classes, pairs):
    lists = os.path.join(ROOT, 'data_lists')
    flip = Flip(
        flip_ratio=1.0,
        flip_pairs=os.path.join(lists, 'something_something_flip_pairs.tsv'),
        classes=os.path.join(lists, classes),
    )
    assert flip.flip_label_map == {**pairs, **{right: left for left, right in pairs.items()}}
    results = flip(dict(imgs=np.zeros((2, 4, 6, 3), np.uint8), label=min(pairs), rng=np.random.default_rng(0)))
    assert results['flipped'] and results['label'] == pairs[min(pairs)]
