"""Tests for the CxEngage integration and its simulator."""
