"""A local Bot Connector stand-in and activity builders for tests, benchmarks and the demo."""
