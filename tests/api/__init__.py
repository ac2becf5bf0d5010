# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Tests of the CxEngage API client, which imports nothing from Home Assistant."""
