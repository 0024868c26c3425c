"""Shipped gin files (a package, so gin includes them as 'simgan/configs/suite/<file>.gin')."""
