// MuxCore
