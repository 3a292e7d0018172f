# Full-frame TSM, ResNet-50 (the baseline). `pretrained`: torchvision ImageNet, TSM-official,
# mmaction2 or gfvideo weights, converted by rule.
model = dict(
    type='TSM',
    backbone=dict(name='resnet50', num_segments=8, shift_div=8, shift_place='blockres', pretrained=None),
    num_classes=174,
    dropout=0.5,
    data_preprocessor=dict(type='VideoDataPreprocessor'),
)
