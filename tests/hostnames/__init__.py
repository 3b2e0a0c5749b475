"""Tests of ipmask.hostnames, one module per module of the package."""
