"""Built-in plugins. Each subpackage registers its components when imported."""
