# GlanceFocusNet stage 3 on the synthetic benchmark (after adamw_7e_synthetic.py's stage 1): the
# focus backbone and the aggregator fine-tune with stage 1's optimizer at half its learning rate.
_base_ = ['adamw_7e_synthetic.py']
max_epochs = 5
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=2.5e-4))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-5)]
