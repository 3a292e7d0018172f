"""Install gfvideo: ``pip install -e .`` (add ``[test]`` for the test suite)."""
import re
from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).parent
VERSION = re.search(r"__version__ = '([^']+)'", (ROOT / 'gfvideo' / 'version.py').read_text()).group(1)

install_requires = [
    'torch>=2.1',
    'numpy>=1.24',
    'av>=11',
    'mmengine>=0.10',
    'opencv-python>=4.5',  # JPEG/PNG codecs and resizing; mmengine requires it as well
    'tqdm>=4.60',
    # decord ships wheels for x86_64 Linux/Windows only; elsewhere PyAV does all the decoding.
    "decord>=0.6; platform_machine in 'x86_64 AMD64' and sys_platform != 'darwin'",
]

setup(
    name='gfvideo',
    version=VERSION,
    description='Glance-and-Focus networks for spatially adaptive video recognition on TSM backbones',
    long_description=(ROOT / 'README.md').read_text(),
    long_description_content_type='text/markdown',
    python_requires='>=3.9',
    packages=find_packages(include=['gfvideo', 'gfvideo.*']),
    package_data={'gfvideo': ['py.typed']},
    install_requires=install_requires,
    extras_require={
        'test': ['pytest>=7', 'scikit-video>=1.1'],
        'decord': ['decord>=0.6'],
        'viz': ['matplotlib>=3.5'],
    },
)
