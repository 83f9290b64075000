"""Classification stage (placeholder while building)."""
