# Deprecated name, kept for one version; this file loads, unchanged, the config that replaced it:
# configs/recognition/tsm/tsm_imagenet-pretrained-r50_8xb8-1x1x8-50e_sthv2-rgb.py
_base_ = ['recognition/tsm/tsm_imagenet-pretrained-r50_8xb8-1x1x8-50e_sthv2-rgb.py']
