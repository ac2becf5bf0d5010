"""Tests of the fake CxEngage API server."""
