"""Checks: one module per kind of defect, each a pure function of the snapshot and the probes' facts."""
