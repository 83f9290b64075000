"""distributed stage of tocsin."""
