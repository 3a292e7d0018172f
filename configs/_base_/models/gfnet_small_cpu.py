# A CPU-sized GlanceFocusNet for the synthetic benchmark (128 px frames), trained from scratch.
# Glance: a quarter-width ResNet-18 on 64 px frame differences (half resolution: the actor's
# one-pixel pattern averages away there, its motion does not; on RGB, the same network did not
# learn the motion in our CPU budget, on differences it learned the direction in ~100 iterations).
# Focus: a quarter-width ResNet-18 on 48-px RGB patches (4x the actor's side) at full resolution.
model = dict(
    type='GlanceFocusNet',
    glance_backbone=dict(name='resnet18', num_segments=8, width_mult=0.25),
    focus_backbone=dict(name='resnet18', num_segments=8, width_mult=0.25),
    num_classes=16,
    glance_size=64,
    glance_modality='diff',
    patch_size=48,
    max_focus_steps=3,
    hidden_dim=128,
    policy=dict(kind='gaussian', hidden_dim=64, map_grid=4),
    aggregator=dict(temporal='mean', dropout=0.2),
    train_stage=1,
    ppo=dict(gamma=0.7, clip=0.2, epochs=2, entropy_coef=0.01, reward='rise'),
    data_preprocessor=dict(type='VideoDataPreprocessor'),
)
