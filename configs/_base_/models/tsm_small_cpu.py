# The synthetic benchmark's baseline: full-frame TSM with the CPU GlanceFocusNet's focus
# architecture (quarter-width ResNet-18), on the frames' native 128 px, RGB.
model = dict(
    type='TSM',
    backbone=dict(name='resnet18', num_segments=8, width_mult=0.25),
    num_classes=16,
    dropout=0.2,
    data_preprocessor=dict(type='VideoDataPreprocessor'),
)
