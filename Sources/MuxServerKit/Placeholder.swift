// MuxServerKit
