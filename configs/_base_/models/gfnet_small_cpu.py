# A CPU-sized GlanceFocusNet for the synthetic benchmark (128 px frames): a quarter-width
# MobileNetV2 glance at 64 px (half resolution: the actor's one-pixel pattern averages away there,
# its motion does not) and a half-width ResNet-18 focus on 48-px patches (4x the actor's side).
model = dict(
    type='GlanceFocusNet',
    glance_backbone=dict(name='mobilenet_v2', num_segments=8, width_mult=0.25),
    focus_backbone=dict(name='resnet18', num_segments=8, width_mult=0.5),
    num_classes=16,
    glance_size=64,
    patch_size=48,
    max_focus_steps=3,
    hidden_dim=256,
    policy=dict(kind='gaussian', hidden_dim=128, map_grid=4),
    aggregator=dict(temporal='mean', dropout=0.2),
    train_stage=1,
    ppo=dict(gamma=0.7, clip=0.2, epochs=2, entropy_coef=0.01, reward='rise'),
    data_preprocessor=dict(type='VideoDataPreprocessor'),
)
