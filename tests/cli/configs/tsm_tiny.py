# The TSM baseline at the tiny GlanceFocusNet's focus architecture, on the same data.
_base_ = ['gfnet_tiny-stage1.py']
model = dict(
    _delete_=True,
    type='TSM',
    backbone=dict(name='resnet18', num_segments=_base_.num_segments, width_mult=0.25),
    num_classes=16,
    dropout=0.2,
)
