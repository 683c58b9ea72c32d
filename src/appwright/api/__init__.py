"""The HTTP and WebSocket boundary."""
