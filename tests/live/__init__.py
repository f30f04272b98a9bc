"""Tests that run Home Assistant as a real, separate process."""
