_base_ = ['gfnet_tiny-stage1.py']
model = dict(train_stage=3)
