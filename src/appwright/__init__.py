"""appwright: edit a small web app by chatting with an AI model."""
