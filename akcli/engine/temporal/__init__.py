"""The Temporal engine (engine: temporal): imported only when configured."""
