"""enrich stage of tocsin."""
