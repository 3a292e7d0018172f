"""Settings shared by the tests marked ``cuda``."""

import pytest
import torch


@pytest.fixture(autouse=True)
def exact_fp32():
    """TF32 off while a test runs, so that fp32 on the GPU is fp32 (cuDNN convolutions default to
    TF32, whose 10-bit mantissa alone would exceed the fp32 tolerance)."""
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved
