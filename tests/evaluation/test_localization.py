"""Hit rates: patch boxes against actor boxes, through the transforms' mapping, in evaluation."""

import json

import pytest
import torch

from gfvideo.evaluation import AccuracyMetric, clip_actor_centres, patch_hits, read_actor_boxes, video_key


def write_boxes(tmp_path, boxes):
    path = tmp_path / 'actor_boxes.json'
    path.write_text(json.dumps(boxes))
    return str(path)


def test_actor_centres_follow_the_sampled_frames_and_the_input_mapping(tmp_path):
    boxes = read_actor_boxes(write_boxes(tmp_path, {'7': [[0, 0, 10, 10], [20, 40, 30, 50], [60, 0, 70, 10]]}))
    # input pixel x maps to video pixel 2x + 4 (a 2x resize after a 4-px crop)
    centres = clip_actor_centres(boxes, ['/data/videos/7.webm'], torch.tensor([[1, 2]]), [[2.0, 2.0, 4.0, 0.0]])
    assert centres.tolist() == [[[(25 - 4) / 2, 45 / 2], [(65 - 4) / 2, 5 / 2]]]
    assert video_key('/data/frames/7/') == video_key('7.mp4') == '7'
    hits = patch_hits(torch.tensor([[[0, 0, 16, 32], [40, 0, 56, 16]]]), centres)
    assert hits.tolist() == [[1.0, 0.0]]  # (10.5, 22.5) inside; (30.5, 2.5) left of x0=40


@pytest.mark.parametrize(
    'content, message',
    [
        ('[1, 2]', 'expected an object'),
        ('{"a": [[1, 2, 3]]}', 'x0, y0, x1, y1'),
        ('{not json', 'cannot read actor boxes'),
    ],
)
def test_malformed_actor_boxes_name_the_file(tmp_path, content, message):
    path = tmp_path / 'boxes.json'
    path.write_text(content)
    with pytest.raises(ValueError, match=message) as error:
        read_actor_boxes(str(path))
    assert str(path) in str(error.value)


def test_accuracy_metric_reports_each_steps_hit_rate_when_the_dataset_has_actor_boxes(tmp_path):
    path = write_boxes(tmp_path, {'1': [[10, 10, 20, 20]] * 4, '2': [[50, 50, 60, 60]] * 4})
    metric = AccuracyMetric()
    metric.dataset_meta = {'localization': {'actor_boxes': path}, 'classes': ('a', 'b')}
    batch = {
        'frame_inds': torch.tensor([[0, 1], [2, 3]]),
        'meta': [
            {'filename': 'v/1.webm', 'img_to_video': [1.0, 1.0, 0.0, 0.0]},
            {'filename': 'v/2.webm', 'img_to_video': [1.0, 1.0, 0.0, 0.0]},
        ],
    }
    on_first = torch.tensor([[0, 0, 32, 32], [0, 0, 32, 32]])  # holds (15, 15), not (55, 55)
    on_second = torch.tensor([[40, 40, 72, 72], [0, 0, 32, 32]])  # one frame of two on (55, 55)
    samples = [
        {
            'step_scores': torch.tensor([[0.9, 0.1], [0.8, 0.2]]),
            'label': 0,
            'step_boxes': torch.stack([on_first, on_first]),
        },
        {
            'step_scores': torch.tensor([[0.9, 0.1], [0.3, 0.7]]),
            'label': 1,
            'step_boxes': torch.stack([on_first, on_second]),
        },
    ]
    metric.process(batch, samples)
    metrics = metric.compute_metrics(metric.results)
    assert metrics['step1_hit'] == pytest.approx(0.5) and metrics['step2_hit'] == pytest.approx(0.75)
    assert metrics['step1_top1'] == 1.0 and metrics['top1'] == 1.0
    plain = AccuracyMetric()  # no actor boxes: no hit rates
    plain.dataset_meta = {'classes': ('a', 'b')}
    plain.process(batch, samples)
    assert not any(key.endswith('_hit') for key in plain.compute_metrics(plain.results))


def test_a_dataset_passes_its_actor_boxes_file_to_evaluation(tmp_path):
    from gfvideo.data import VideoDataset

    (tmp_path / 'lists').mkdir()
    (tmp_path / 'lists' / 'val.txt').write_text('videos/1.webm 0\n')
    (tmp_path / 'annotations').mkdir()
    write_boxes(tmp_path / 'annotations', {'1': [[0, 0, 4, 4]]})
    dataset = VideoDataset(
        'lists/val.txt',
        data_root=str(tmp_path),
        classes=['a'],
        test_mode=True,
        actor_boxes='annotations/actor_boxes.json',
    )
    path = dataset.metainfo['localization']['actor_boxes']
    assert path == str(tmp_path / 'annotations' / 'actor_boxes.json') and read_actor_boxes(path)['1'].shape == (1, 4)
