# Full-frame TSM, ResNet-50 (the baseline). `pretrained`: torchvision ImageNet, TSM-official,
# mmaction2 or gfvideo weights, converted by rule.
# The backbones' num_segments is the recipe's: each config sets it from its dataset base's
# num_segments, which the pipelines' SampleFrames read too.
model = dict(
    type='TSM',
    backbone=dict(name='resnet50', shift_div=8, shift_place='blockres', pretrained=None),
    num_classes=174,
    dropout=0.5,
    data_preprocessor=dict(type='VideoDataPreprocessor'),
)
