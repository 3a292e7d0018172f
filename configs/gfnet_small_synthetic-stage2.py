# Deprecated name, kept for one version; this file loads, unchanged, the config that replaced it:
# configs/gfnet/gfnet_stage2_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb.py
_base_ = ['gfnet/gfnet_stage2_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb.py']
