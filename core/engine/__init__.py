"""The GAN engine: the Task protocol, the training loop and the actions it runs at intervals."""
