"""The decoding pipeline an export records: the test pipeline when it makes one view, else one
centre view of the asked size."""

import importlib.util

import pytest

from gfvideo.apis.export import ExportError, deploy_pipeline, export_model, single_view_pipeline

HEAD = [dict(type='VideoInit'), dict(type='SampleFrames', num_segments=8, mode='test'), dict(type='VideoDecode')]


def test_a_single_view_test_pipeline_is_kept_without_packing():
    pipeline = HEAD + [
        dict(type='Resize', short_side=128),
        dict(type='CenterCrop', crop_size=112),
        dict(type='PackClip'),
    ]
    assert deploy_pipeline(pipeline, None) == (pipeline[:-1], (112, 112))
    assert deploy_pipeline(HEAD, (64, 48)) == (HEAD, (64, 48))  # no crop: the frames' own size, checked at run time


def test_multi_view_or_resized_pipelines_become_one_centre_view():
    three_crop = [
        dict(type='VideoInit'),
        dict(type='SampleFrames', num_segments=8, mode='twice'),
        dict(type='VideoDecode'),
        dict(type='Resize', short_side=256),
        dict(type='ThreeCrop', crop_size=256),
    ]
    assert deploy_pipeline(three_crop, None) == (single_view_pipeline(8, 256), (256, 256))
    assert deploy_pipeline(three_crop, (224, 224)) == (single_view_pipeline(8, 224), (224, 224))
    centre = HEAD + [dict(type='CenterCrop', crop_size=128)]
    assert deploy_pipeline(centre, (96, 96)) == (single_view_pipeline(8, 96), (96, 96))


def test_what_an_export_cannot_record_is_refused():
    with pytest.raises(ExportError, match='--input-size'):
        deploy_pipeline(HEAD, None)
    with pytest.raises(ExportError, match='a square'):
        deploy_pipeline(HEAD + [dict(type='ThreeCrop', crop_size=256)], (224, 160))
    with pytest.raises(ExportError, match="cannot record: \\['MyTransform'\\]"):
        deploy_pipeline(HEAD + [dict(type='MyTransform')], None)


def test_without_the_deploy_extra_the_export_says_which_extra(monkeypatch, tmp_path):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, 'find_spec', lambda name, *a: None if name == 'onnxscript' else find_spec(name, *a)
    )
    with pytest.raises(ExportError, match=r"needs onnxscript, the deploy extra: pip install 'gfvideo\[deploy\]'"):
        export_model(object(), tmp_path)
