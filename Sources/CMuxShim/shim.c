// All of CMuxShim is inline in its header; this file gives SwiftPM a C source to compile.
#include "CMuxShim.h"
