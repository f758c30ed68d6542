// SplitMix64 lives in MuxCore (the sweep's shuffled order needs it outside the tests); test files
// that import MuxTestSupport keep finding it here.
@_exported import MuxCore
