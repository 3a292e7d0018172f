# The synthetic benchmark's baseline: full-frame TSM with the CPU GlanceFocusNet's focus
# architecture (quarter-width ResNet-18), on the frames' native 128 px, RGB.
# The backbones' num_segments is the recipe's: each config sets it from its dataset base's
# num_segments, which the pipelines' SampleFrames read too.
model = dict(
    type='TSM',
    backbone=dict(name='resnet18', width_mult=0.25),
    num_classes=16,
    dropout=0.2,
    data_preprocessor=dict(type='VideoDataPreprocessor'),
)
