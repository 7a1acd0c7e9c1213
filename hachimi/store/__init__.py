"""The run folder: lock, crash-safe appends, manifest, resume state and cumulative counters."""
