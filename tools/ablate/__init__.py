"""`simgan-ablate`: plans, runs (resumably) and tabulates grids of ablation runs."""
