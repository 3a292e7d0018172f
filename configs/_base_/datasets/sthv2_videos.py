# Something-Something V2: VP9 WebM videos (<id>.webm), lists from
# `python tools/build_lists.py sthv2 --annotations data/sthv2/annotations \
#      --media-root data/sthv2/videos --out data/sthv2`.
# The pipelines are V1's (sthv1_frames.py); only where the media are differs.
_base_ = ['sthv1_frames.py']
data_root = 'data/sthv2'
dataset = dict(data_root=data_root, media_root='videos', filename_tmpl=None, start_index=None)
train_dataloader = dict(dataset=dataset)
val_dataloader = dict(dataset=dataset)
test_dataloader = dict(dataset=dataset)
