#!/usr/bin/env python3
# Tool, used by IOURingRefusedTests.
# Runs a command with io_uring refused, as Docker's default seccomp profile (since 25.0) refuses
# it: io_uring_setup, io_uring_enter and io_uring_register fail with EPERM. For trying (and
# testing) what MuxBench does where io_uring cannot run.
#   Benchmarks/tools/deny-io-uring.py .build/release/mux-server --backend io-uring
import ctypes
import os
import struct
import sys

if len(sys.argv) < 2:
    sys.exit("usage: deny-io-uring.py COMMAND [ARG...]")

# Classic BPF over struct seccomp_data (nr at offset 0): io_uring's three calls (425-427 in the
# unified syscall table) get ERRNO(EPERM), everything else is allowed.
LD_W_ABS, JEQ_K, RET_K = 0x20, 0x15, 0x06
RET_ALLOW, RET_ERRNO, EPERM = 0x7FFF0000, 0x00050000, 1


def insn(code, k, jt=0, jf=0):
    return struct.pack("HBBI", code, jt, jf, k)


program = [insn(LD_W_ABS, 0)]
for number in (425, 426, 427):
    program += [insn(JEQ_K, number, 0, 1), insn(RET_K, RET_ERRNO | EPERM)]
program.append(insn(RET_K, RET_ALLOW))
code = ctypes.create_string_buffer(b"".join(program))


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
fprog = SockFprog(len(program), ctypes.addressof(code))
if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
        libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
    sys.exit("deny-io-uring.py: cannot install the seccomp filter: " + os.strerror(ctypes.get_errno()))
os.execvp(sys.argv[1], sys.argv[1:])
