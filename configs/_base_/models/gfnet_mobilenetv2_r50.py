# GlanceFocusNet as AdaFocus pairs its networks: a light MobileNetV2-TSM glance at moderate
# resolution and a ResNet-50-TSM focus on patches of the full-resolution frames.
# The backbones' num_segments is the recipe's: each config sets it from its dataset base's
# num_segments, which the pipelines' SampleFrames read too.
model = dict(
    type='GlanceFocusNet',
    glance_backbone=dict(name='mobilenet_v2', pretrained=None),
    focus_backbone=dict(name='resnet50', pretrained=None),
    num_classes=174,
    glance_size=128,
    patch_size=128,
    max_focus_steps=3,
    hidden_dim=1024,
    policy=dict(kind='gaussian', hidden_dim=512),
    aggregator=dict(temporal='mean', dropout=0.5),
    train_stage=1,
    ppo=dict(gamma=0.7, clip=0.2, epochs=1, entropy_coef=0.01, reward='rise'),
    data_preprocessor=dict(type='VideoDataPreprocessor'),
)
