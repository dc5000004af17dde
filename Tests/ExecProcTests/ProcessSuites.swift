import Testing

/// Every suite here starts real processes (clob-sim, exec-proc, fill-proc, recon-proc); they
/// run one at a time, so that on a small machine they do not starve each other — or the rest
/// of the test run — into timeouts.
@Suite(.serialized) enum ProcessSuites {}
