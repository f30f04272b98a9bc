"""Tests for the Migraine Tracker integration."""
