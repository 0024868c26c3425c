"""simgan core: registries, data contract, S+U trainer, checkpoints, summaries. Knows GANs, not eyes."""
