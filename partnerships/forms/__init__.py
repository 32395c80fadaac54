"""Portal forms, one module per area (mirroring `partnerships.views`)."""
