"""What an app's file may be called and hold, and how an edit changes it."""
