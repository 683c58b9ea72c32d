"""The agent run loop: stream a model turn, run the tools it asks for, feed every result
back, repeat until the model ends its turn."""
