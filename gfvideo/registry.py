"""mmengine registries of gfvideo.

Each registry is a child of mmengine's root registry of the same name and knows where its
modules live, so a config can say ``type='VideoDataset'`` without importing anything first.
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, locations=['gfvideo.data'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS, locations=['gfvideo.data'])
DATA_SAMPLERS = Registry('data sampler', parent=MMENGINE_DATA_SAMPLERS, locations=['gfvideo.data'])
FUNCTIONS = Registry('function', parent=MMENGINE_FUNCTIONS, locations=['gfvideo.data'])
MODELS = Registry('model', parent=MMENGINE_MODELS, locations=['gfvideo.models'])
