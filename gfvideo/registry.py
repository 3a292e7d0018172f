"""mmengine registries of gfvideo.

Each registry is a child of mmengine's root registry of the same name and knows where its
modules live, so a config can say ``type='GlanceFocusNet'`` without importing anything first.
Configs set ``default_scope = 'gfvideo'``.
"""

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import Registry

DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, locations=['gfvideo.data.dataset'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS, locations=['gfvideo.data.transforms'])
DATA_SAMPLERS = Registry('data sampler', parent=MMENGINE_DATA_SAMPLERS, locations=['gfvideo.engine'])
FUNCTIONS = Registry('function', parent=MMENGINE_FUNCTIONS, locations=['gfvideo.data.dataset'])
MODELS = Registry('model', parent=MMENGINE_MODELS, locations=['gfvideo.models'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMENGINE_MODEL_WRAPPERS, locations=['gfvideo.engine'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, locations=['gfvideo.engine'])
METRICS = Registry('metric', parent=MMENGINE_METRICS, locations=['gfvideo.evaluation'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor', parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS, locations=['gfvideo.engine']
)
RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS, locations=['gfvideo.engine'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['gfvideo.engine'])
# Where a focus step puts its patches (gfvideo.models.locations): the policy, heuristics, the oracle.
LOCATION_SOURCES = Registry('location source', scope='gfvideo', locations=['gfvideo.models', 'gfvideo.evaluation'])
# Scope nodes: mmengine's own optimizers, schedulers, evaluators ... found under scope 'gfvideo'.
OPTIMIZERS = Registry('optimizer', parent=MMENGINE_OPTIMIZERS)
OPTIM_WRAPPERS = Registry('optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS, locations=['gfvideo.engine'])
PARAM_SCHEDULERS = Registry('parameter scheduler', parent=MMENGINE_PARAM_SCHEDULERS)
EVALUATOR = Registry('evaluator', parent=MMENGINE_EVALUATOR)
LOG_PROCESSORS = Registry('log_processor', parent=MMENGINE_LOG_PROCESSORS)
VISBACKENDS = Registry('vis_backend', parent=MMENGINE_VISBACKENDS)
VISUALIZERS = Registry('visualizer', parent=MMENGINE_VISUALIZERS)
