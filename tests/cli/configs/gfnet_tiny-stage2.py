_base_ = ['gfnet_tiny-stage1.py']
model = dict(train_stage=2)
optim_wrapper = dict(clip_grad=None)
