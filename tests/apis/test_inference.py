"""load_model, recognize and extract_features in-process, on the synthetic dataset's encoded clips,
with a tiny randomly initialised GlanceFocusNet loaded from a checkpoint file."""

import json
import os
import re

import numpy as np
import pytest
import torch

from gfvideo.apis import eval_pipeline, extract_features, load_config, load_model, prepare_clip, recognize
from gfvideo.classes import class_list_hash, read_class_list
from gfvideo.data import VideoReadError, read_all_frames_pyav
from gfvideo.data.prep.video_writer import write_video
from gfvideo.engine.config_checks import ConfigError
from gfvideo.evaluation import thresholds_record
from gfvideo.models import CheckpointError
from gfvideo.registry import MODELS
from tests.media import moving_frames

#: A validation clip of the synthetic dataset (64x64 px, 10 frames), relative to its data root.
VIDEO = os.path.join('videos', '21.webm')


@pytest.fixture(scope='module')
def model(tiny_gfnet) -> torch.nn.Module:
    config, root, checkpoint = tiny_gfnet
    return load_model(load_config(config, data_root=root), checkpoint)


def test_recognize_names_a_class_of_the_configs_list_and_every_steps_patch(tiny_gfnet, model):
    _, root, _ = tiny_gfnet
    classes = read_class_list(os.path.join(root, 'lists', 'classes.txt'))
    assert model.classes == classes and model.classes_hash == class_list_hash(classes)  # none in the checkpoint
    result = recognize(model, os.path.join(root, VIDEO))
    assert 0 <= result.label < len(classes) and result.class_name == classes[result.label]
    assert result.exit_step == model.max_focus_steps == 2
    assert result.boxes.shape == (2, 4, 4)  # (steps run, frames, x0 y0 x1 y1), in the video's pixels
    assert (result.boxes[..., 2:] - result.boxes[..., :2] == model.patch_size).all()
    assert result.boxes.min() >= 0 and result.boxes.max() <= 64
    labels, names, probabilities = zip(*result.top5)
    assert labels[0] == result.label and len(set(labels)) == 5
    assert list(names) == [classes[label] for label in labels]
    assert list(probabilities) == sorted(probabilities, reverse=True)
    assert probabilities[0] == pytest.approx(result.score) and 0 < sum(probabilities) <= 1 + 1e-6
    assert result.gmacs == pytest.approx(float(model.step_macs(64, 64)[2]) / 1e9)


def test_a_checkpoints_own_class_list_names_the_classes(tiny_gfnet, tmp_path):
    config, root, checkpoint = tiny_gfnet
    own = [f'class {index}' for index in range(16)]
    saved = torch.load(checkpoint, weights_only=True)
    torch.save({'state_dict': saved['state_dict'], 'meta': {'classes': own}}, tmp_path / 'named.pth')
    model = load_model(load_config(config, data_root=root), str(tmp_path / 'named.pth'))
    assert model.classes == own and model.classes_hash == class_list_hash(own)
    result = recognize(model, os.path.join(root, VIDEO))
    assert result.class_name == own[result.label]


def test_a_missing_video_or_checkpoint_is_named(tiny_gfnet, model, tmp_path):
    config, root, _ = tiny_gfnet
    video = str(tmp_path / 'absent.webm')
    with pytest.raises(VideoReadError, match=re.escape(video)):
        recognize(model, video)
    checkpoint = str(tmp_path / 'absent.pth')
    with pytest.raises(CheckpointError, match=re.escape(checkpoint) + ': no such checkpoint file'):
        load_model(load_config(config, data_root=root), checkpoint)


def test_files_and_arrays_are_recognised_alike(tiny_gfnet, model):
    _, root, _ = tiny_gfnet
    video = os.path.join(root, VIDEO)
    from_file = extract_features(model, video)
    from_array = extract_features(model, read_all_frames_pyav(video))
    assert np.array_equal(from_file['logits'], from_array['logits'])
    assert from_file['glance'].shape[0] == 4 and from_file['focus'].shape[:2] == (2, 4)
    assert from_file['boxes'].shape == (2, 4, 4) and from_file['logits'].shape == (3, 16)
    result = recognize(model, video, thresholds=[0.0, 0.0])  # everybody exits at the glance
    assert result.exit_step == 0 and result.boxes.shape == (0, 4, 4) and result.class_name in model.classes
    full = recognize(model, video)
    assert full.exit_step == 2 and full.label == int(from_file['logits'][2].argmax())
    assert np.allclose(full.boxes, from_file['boxes'])
    with pytest.raises(VideoReadError):
        recognize(model, os.path.join(root, 'annotations', 'flip_pairs.tsv'))


def test_boxes_map_back_to_original_video_pixels(tiny_gfnet):
    config, root, checkpoint = tiny_gfnet
    cfg = load_config(config, data_root=root)
    cfg.test_dataloader.dataset.pipeline.insert(-1, dict(type='Resize', short_side=48))
    model = load_model(cfg, checkpoint)
    video = os.path.join(root, VIDEO)
    features = extract_features(model, video)
    clip = prepare_clip(eval_pipeline(model), video)
    assert clip.original_shape == (64, 64) and clip.inputs.shape[-1] == 48
    assert np.allclose(features['boxes'], features['boxes_input'] * (64 / 48))
    assert features['boxes'].max() <= 64


def test_recognize_takes_a_thresholds_file_or_a_list(tiny_gfnet, model, tmp_path):
    _, root, _ = tiny_gfnet
    video = os.path.join(root, VIDEO)
    thresholds = tmp_path / 'thresholds.json'
    thresholds.write_text(json.dumps(thresholds_record([0.0, 0.0], model.classes_hash, model.max_focus_steps)))
    from_file, from_list = recognize(model, video, str(thresholds)), recognize(model, video, [0.0, 0.0])
    assert from_file.exit_step == from_list.exit_step == 0
    assert from_file.top5 == from_list.top5 and from_file.top5[0][1] == from_file.class_name
    assert from_file.top5[0][2] == pytest.approx(from_file.score)


def test_one_image_given_as_frames_is_refused_with_a_clear_message(model):
    image = np.zeros((48, 64, 3), np.uint8)
    with pytest.raises(VideoReadError, match=r'\(48, 64, 3\) array is one image'):
        recognize(model, image)


def test_frames_smaller_than_the_patch_name_the_video(model, tmp_path):
    small = tmp_path / 'small.mp4'
    write_video(str(small), moving_frames(10, 16, 16, seed=0), fps=10)  # 16 px < the tiny model's 24-px patch
    with pytest.raises(VideoReadError, match=re.escape(str(small)) + r'.*16x16 .*smaller than the model'):
        recognize(model, str(small))


def test_the_class_count_comes_from_the_checkpoint_and_load_model_takes_options(tiny_gfnet, tmp_path):
    config, root, _ = tiny_gfnet
    cfg = load_config(config, {'model.num_classes': 3}, data_root=root)
    trained = MODELS.build(cfg.model)
    classes = ['open', 'close', 'push']
    torch.save({'state_dict': trained.state_dict(), 'meta': {'classes': classes}}, tmp_path / 'three.pth')
    # the config says 16 classes (its class list); the checkpoint's own list decides the head
    loaded = load_model(config, str(tmp_path / 'three.pth'), cfg_options={'data_root': root})
    assert loaded.classes == classes and loaded.cfg.model.num_classes == 3
    assert recognize(loaded, os.path.join(root, VIDEO)).class_name in classes
    with pytest.raises(ConfigError, match=re.escape(os.path.basename(config)) + r": model: .*got 'random'"):
        load_model(config, str(tmp_path / 'three.pth'), cfg_options={'data_root': root, 'model.ppo.reward': 'random'})
