"""Install gfvideo: ``pip install -e .`` (``'.[test]'`` adds the test suite's needs).

The project's metadata lives in ``pyproject.toml``; this file stays for tools and habits that
call ``setup.py`` directly.
"""

from setuptools import setup

setup()
