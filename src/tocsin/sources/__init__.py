"""sources stage of tocsin."""
