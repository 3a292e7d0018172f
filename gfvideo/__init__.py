"""gfvideo: Glance-and-Focus networks for spatially adaptive video recognition."""

from .version import __version__

__all__ = ['__version__']
