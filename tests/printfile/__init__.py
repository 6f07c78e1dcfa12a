"""Tests of the HA-free print-file parser package."""
