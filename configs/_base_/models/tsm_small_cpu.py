# The synthetic benchmark's baseline: full-frame TSM with the CPU GlanceFocusNet's focus
# architecture (half-width ResNet-18), on the frames' native 128 px.
model = dict(
    type='TSM',
    backbone=dict(name='resnet18', num_segments=8, width_mult=0.5),
    num_classes=16,
    dropout=0.2,
    data_preprocessor=dict(type='VideoDataPreprocessor'),
)
