"""Shipped gin files of the CUT task (a package, so gin includes them as
'simgan/configs/cut/<file>.gin')."""
