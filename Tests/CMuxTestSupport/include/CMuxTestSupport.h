// Process-wide set-up for the test bundle that must happen before any test runs.
#ifndef CMUX_TEST_SUPPORT_H
#define CMUX_TEST_SUPPORT_H

/// The soft RLIMIT_NOFILE the test process got at load time (after raising it), or -1 if
/// getrlimit failed.
long mux_test_descriptor_limit(void);

#endif
