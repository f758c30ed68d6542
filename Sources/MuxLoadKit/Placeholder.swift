// MuxLoadKit
