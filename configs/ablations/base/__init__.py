"""Shipped gin files (a package, so gin includes them as 'simgan/configs/ablations/base/<file>.gin')."""
