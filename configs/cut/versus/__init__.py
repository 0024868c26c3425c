"""The S+U vs CUT comparison's two variants (a package, so gin includes them as
'simgan/configs/cut/versus/<file>.gin')."""
