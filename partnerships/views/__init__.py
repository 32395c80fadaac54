"""Portal pages, one module per area: dashboard, partnerships, steps (the step forms), cities."""
