"""Tests of ipmask.masking.hostnames, one module per module of the package."""
