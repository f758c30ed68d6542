// MuxBenchKit
