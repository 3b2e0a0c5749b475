"""Tests of ipmask.formats, one module per filter family."""
