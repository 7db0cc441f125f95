"""Property tests of the numeric models run the same examples on every run (derandomised), so the
suite is repeatable on CI; the simulations inside the tests use fixed numpy seeds for the same reason.
Hypothesis profiles are global: once this directory is collected, the whole run is derandomised."""

from hypothesis import settings

settings.register_profile("clv", derandomize=True, print_blob=True)
settings.load_profile("clv")
