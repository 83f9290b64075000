"""store stage of tocsin."""
