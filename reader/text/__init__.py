"""Text for the terminal: bidi, shaping and layout, sanitising, Arabic folding, cursor motion."""
