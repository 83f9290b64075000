"""api stage of tocsin."""
