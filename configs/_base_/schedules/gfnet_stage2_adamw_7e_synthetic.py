# GlanceFocusNet stage 2 on the synthetic benchmark (after adamw_7e_synthetic.py's stage 1): PPO
# trains the policy alone with AdamW at 2e-3, no weight decay and no gradient clipping, cosine decay.
_base_ = ['adamw_7e_synthetic.py']
max_epochs = 7
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.0), clip_grad=None)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-5)]
