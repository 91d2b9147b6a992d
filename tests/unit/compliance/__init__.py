"""The compliance service: packs, verdicts, obligations, the detector, the audit log, its evaluation."""
