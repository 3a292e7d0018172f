# GlanceFocusNet stage 2 after a stage 1 on the TSM recipe (sgd_tsm_50e.py): PPO trains the patch
# policy alone (everything else frozen, batch norm included) with Adam, no weight decay and no
# gradient clipping, the learning rate decaying on a cosine over 15 epochs.
_base_ = ['sgd_tsm_50e.py']
max_epochs = 15
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='Adam', lr=3e-4), paramwise_cfg=dict(_delete_=True), clip_grad=None
)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-6)]
