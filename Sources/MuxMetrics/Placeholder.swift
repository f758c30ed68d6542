// MuxMetrics
