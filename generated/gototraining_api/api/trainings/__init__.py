"""Endpoint functions of the GoToTraining API's trainings operations."""
