# The baseline on the synthetic benchmark: full-frame TSM, same epochs as GlanceFocusNet stage 1.
_base_ = ['_base_/models/tsm_small_cpu.py', '_base_/datasets/synthetic_sthv2.py',
          '_base_/schedules/adam_synthetic.py', '_base_/default_runtime.py']
