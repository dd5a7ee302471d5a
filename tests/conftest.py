"""Test-session settings."""

import torch

# pytest-xdist runs one worker per core; a multi-threaded torch in each
# worker would oversubscribe the cores (OpenMP threads spin-wait), making
# the suite several times slower without testing anything more.
torch.set_num_threads(1)
