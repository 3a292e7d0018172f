# A CPU-sized GlanceFocusNet for the synthetic benchmark (128 px frames), trained from scratch.
# Glance: a quarter-width ResNet-18 on 32 px frame differences (a quarter of the resolution: the
# actor's 2-px-cell pattern, period 4, averages away there; its motion does not). The policy
# reads the glance's stride-4 map (8x8 at 32 px, cells of 16 frame pixels, half a patch): on the
# same stage-1 network PPO reached a hit rate of 0.97 in 600 iterations with it, 0.86-0.88 with the
# stride-8 map (4x4) and 0.81 with an MLP head instead of the spatial one; the last, stride-32
# map is a single cell.
# Focus: a quarter-width ResNet-18 on 32-px RGB patches (2.7x the actor's side) at full resolution.
# Stage 1 puts half of its patches on the frame-difference peak (a label-free prior) and half
# uniformly, so the focus network learns to read the actor without any box annotation.
# The backbones' num_segments is the recipe's: each config sets it from its dataset base's
# num_segments, which the pipelines' SampleFrames read too.
model = dict(
    type='GlanceFocusNet',
    glance_backbone=dict(name='resnet18', width_mult=0.25),
    focus_backbone=dict(name='resnet18', width_mult=0.25),
    num_classes=16,
    glance_size=32,
    glance_modality='diff',
    patch_size=32,
    max_focus_steps=3,
    policy_stride=4,
    hidden_dim=128,
    policy=dict(kind='gaussian', head='spatial', hidden_dim=64, map_grid=8),
    aggregator=dict(temporal='mean', dropout=0.2),
    train_stage=1,
    stage1_prior='motion',
    stage1_prior_ratio=0.5,
    ppo=dict(gamma=0.7, clip=0.2, epochs=2, entropy_coef=0.01, reward='rise'),
    data_preprocessor=dict(type='VideoDataPreprocessor'),
)
