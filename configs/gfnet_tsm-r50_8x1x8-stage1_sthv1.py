# Deprecated name, kept for one version; this file loads, unchanged, the config that replaced it:
# configs/gfnet/gfnet_stage1_imagenet-pretrained-tsm-r50_8xb8-1x1x8-50e_sthv1-rgb.py
_base_ = ['gfnet/gfnet_stage1_imagenet-pretrained-tsm-r50_8xb8-1x1x8-50e_sthv1-rgb.py']
