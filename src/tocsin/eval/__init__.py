"""eval stage of tocsin."""
