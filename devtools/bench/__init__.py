"""Speed benchmarks. Each prints ratios against a reference measured in the same run, never
absolute targets, and names the CPU. Run them through ``python -m devtools bench NAME``."""
