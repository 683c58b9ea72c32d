"""Web search providers behind one small interface."""
