"""Tests of the OttoEngine integration and its simulated farm."""
