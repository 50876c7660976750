"""The reference studies (W1, and later W2), runnable from the CLI and the examples."""
