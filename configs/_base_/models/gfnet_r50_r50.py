# GlanceFocusNet with ResNet-50-TSM for both networks: the glance at 96 px, the focus on 128 px
# patches of the full-resolution frames (the rest as gfnet_mobilenetv2_r50.py).
_base_ = ['gfnet_mobilenetv2_r50.py']
model = dict(glance_backbone=dict(name='resnet50'), glance_size=96)
