"""The Amazon SageMaker serving container for the intent and sentiment engines."""
