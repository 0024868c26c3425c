"""The GAN engine: the Task protocol, the training loop and the actions it runs at intervals,
with the services only it uses (checkpoints, summaries, interrupts, devices and speed options)."""
