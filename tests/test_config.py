"""Loading a config: one data folder and the validation overrides reach every loader, the class
count follows the class list, and what cannot work is refused before anything runs."""

import pytest

from gfvideo.config import load_config
from gfvideo.engine.config_checks import ConfigError, check_config

SYNTHETIC = 'gfnet_stage1_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb'
CUSTOM = 'gfnet_stage1_tsm-r18-quarter-width_1xb16-1x1x8-7e_custom-rgb'


def own_data(root, classes=5):
    """A data folder as ``gfvideo build-lists`` writes it (lists only; nothing here decodes)."""
    (root / 'videos').mkdir(parents=True)
    (root / 'classes.txt').write_text(''.join(f'class {i}\n' for i in range(classes)))
    for split in ('train', 'val'):
        (root / f'{split}.txt').write_text('a.mp4 0\n')
    return str(root)


def test_a_test_loader_set_to_the_val_loader_follows_its_overrides():
    cfg = load_config(SYNTHETIC, {'val_dataloader.dataset.actor_boxes': None, 'val_dataloader.batch_size': 3})
    assert cfg.test_dataloader.dataset.actor_boxes is None and cfg.test_dataloader.batch_size == 3
    own = load_config(SYNTHETIC, {'val_dataloader.batch_size': 3, 'test_dataloader.batch_size': 5})
    assert own.val_dataloader.batch_size == 3 and own.test_dataloader.batch_size == 5


def test_the_class_count_follows_the_class_list_unless_the_options_set_it(tmp_path):
    root = own_data(tmp_path / 'mine')
    cfg = load_config(CUSTOM, data_root=root)
    assert cfg.model.num_classes == 5 and all(
        cfg[k].dataset.data_root == root for k in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    )
    check_config(cfg, training=True)  # nothing missing, nothing to repeat
    explicit = load_config(CUSTOM, {'model.num_classes': 7}, data_root=root)
    with pytest.raises(ConfigError, match=r'num_classes is 7 but the class list .*classes.txt has 5 classes'):
        check_config(explicit, training=True)


def test_actor_boxes_that_are_not_there_are_refused_at_start_up_with_the_override_that_drops_them(tmp_path):
    root = own_data(tmp_path / 'mine')
    (tmp_path / 'mine' / 'lists').mkdir()
    for name in ('train.txt', 'val.txt', 'classes.txt'):
        (tmp_path / 'mine' / 'lists' / name).write_text((tmp_path / 'mine' / name).read_text())
    cfg = load_config(SYNTHETIC, data_root=root)  # the synthetic recipe names annotations/actor_boxes.json
    with pytest.raises(ConfigError, match=r'actor_boxes.json does not exist; actor boxes are optional.*=None'):
        check_config(cfg, training=True)
    dropped = load_config(SYNTHETIC, {'val_dataloader.dataset.actor_boxes': None}, data_root=root)
    check_config(dropped, training=True)
    check_config(dropped, training=False)  # the test loader followed the override


@pytest.mark.parametrize(
    'recipe, options',
    [
        ('tsm_imagenet-pretrained-r50_8xb8-1x1x8-50e_kinetics400-rgb', ['model.backbone.pretrained']),
        (
            'gfnet_stage1_imagenet-pretrained-tsm-mobilenetv2-r50_8xb8-1x1x8-50e_kinetics400-rgb',
            ['model.glance_backbone.pretrained', 'model.focus_backbone.pretrained'],
        ),
    ],
)
def test_the_imagenet_recipes_train_from_scratch_with_the_readmes_options(tmp_path, recipe, options):
    root = own_data(tmp_path / 'mine', classes=3)
    with pytest.raises(ConfigError, match='checkpoints/'):  # the ImageNet files are not here
        check_config(load_config(recipe, data_root=root), training=True)
    cfg = load_config(recipe, {option: None for option in options}, data_root=root)
    check_config(cfg, training=True)
    assert cfg.model.num_classes == 3  # not the recipe's 400


def test_turning_validation_off_leaves_the_test_loader_alone():
    cfg = load_config(SYNTHETIC, {'val_dataloader': None, 'val_cfg': None, 'val_evaluator': None})
    assert cfg.val_dataloader is None and cfg.test_dataloader is not None and cfg.test_evaluator is not None
