# GlanceFocusNet stage 3 after a stage 1 on the TSM recipe (sgd_tsm_50e.py): with the policy
# frozen, the focus backbone and the aggregator fine-tune with the TSM optimizer at a tenth of its
# learning rate, decaying on a cosine over 10 epochs.
_base_ = ['sgd_tsm_50e.py']
max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=2)
optim_wrapper = dict(optimizer=dict(lr=0.001))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-6)]
