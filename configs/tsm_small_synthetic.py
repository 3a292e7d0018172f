# Deprecated name, kept for one version; this file loads, unchanged, the config that replaced it:
# configs/recognition/tsm/tsm_r18-quarter-width_1xb16-1x1x8-12e_synthetic-rgb.py
_base_ = ['recognition/tsm/tsm_r18-quarter-width_1xb16-1x1x8-12e_synthetic-rgb.py']
