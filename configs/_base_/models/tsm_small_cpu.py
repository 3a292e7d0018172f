# The synthetic benchmark's baseline: full-frame TSM with the CPU GlanceFocusNet's focus
# architecture (quarter-width ResNet-18), on the frames' native 128 px, RGB.
# The backbones' num_segments is the recipe's: each config sets it from its dataset base's
# num_segments, which the pipelines' SampleFrames read too.
model = dict(
    type='TSM',
    backbone=dict(name='resnet18', width_mult=0.25),
    num_classes=16,
    dropout=0.2,
    # Trained from scratch, so the classifier starts at mmaction2's TSN-head std (0.01), not at the
    # 0.001 that TSM uses over ImageNet weights: with 0.001 the baseline's loss stayed at chance for
    # the first 250 iterations of a plain loop (seed 1, AdamW 5e-4), with 0.01 it left chance by
    # 150-200, as with PyTorch's default initialisation.
    init_std=0.01,
    data_preprocessor=dict(type='VideoDataPreprocessor'),
)
