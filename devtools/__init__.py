"""Development tooling, not part of the product and not installed with it: the Argos-format
packages the project builds for its tests and benchmarks (``models``, needs torch), and the speed
benchmarks (``bench``). Run everything through ``python -m devtools``."""
