"""Generated, typed Python shims between Python values and the component model."""
