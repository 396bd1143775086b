"""What a query worker is not allowed to do, enforced by the kernel: open a socket, or use too much memory.

pyoxigraph evaluates SERVICE by opening HTTP connections itself, and its Python API has no switch to turn
that off. The server refuses SERVICE on the parsed query before evaluation; this module is the second
line: a seccomp filter makes every `socket()` call of the worker fail (and `io_uring`, which could open
sockets without that call), so that no query text, parser difference or future engine feature can reach
the network from a worker. The filter is inherited by every thread and cannot be lifted.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import resource
from dataclasses import dataclass

# Linux ABI constants (linux/seccomp.h, linux/filter.h, linux/audit.h, asm/unistd.h).
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_ALLOW = 0x7FFF_0000
_RET_ERRNO = 0x0005_0000
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K
_ARCH_OFFSET, _NR_OFFSET = 4, 0  # in struct seccomp_data
_X32_BIT = 0x4000_0000


@dataclass(frozen=True)
class _Platform:
    """The numbers the filter needs on one architecture."""

    audit_arch: int
    seccomp: int
    denied: tuple[int, ...]
    x32: bool


# socket, io_uring_setup, io_uring_enter, io_uring_register
_PLATFORMS = {
    "x86_64": _Platform(0xC000_003E, seccomp=317, denied=(41, 425, 426, 427), x32=True),
    "aarch64": _Platform(0xC000_00B7, seccomp=277, denied=(198, 425, 426, 427), x32=False),
}


class SandboxUnavailable(Exception):
    """The kernel or the platform cannot confine a worker here."""


class _SockFilter(ctypes.Structure):
    _fields_ = (("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32))


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter)))


def _program(target: _Platform) -> list[tuple[int, int, int, int]]:
    """The BPF program: deny other ABIs and the denied system calls with EACCES, allow the rest."""
    deny = (_RET_K, 0, 0, _RET_ERRNO | errno.EACCES)
    program = [(_LD_W_ABS, 0, 0, _ARCH_OFFSET), (_JEQ_K, 1, 0, target.audit_arch), deny,
               (_LD_W_ABS, 0, 0, _NR_OFFSET)]
    if target.x32:  # x32 system calls are numbered apart: deny them all
        program += [(_JGE_K, 0, 1, _X32_BIT), deny]
    for number in target.denied:
        program += [(_JEQ_K, 0, 1, number), deny]
    return [*program, (_RET_K, 0, 0, _RET_ALLOW)]


def deny_network() -> None:
    """Make every later `socket()` (and `io_uring`) call of this process fail, in all its threads; for good."""
    target = _PLATFORMS.get(platform.machine())
    if platform.system() != "Linux" or target is None:
        raise SandboxUnavailable(f"seccomp filters are not supported on {platform.system()} {platform.machine()}")
    instructions = _program(target)
    filters = (_SockFilter * len(instructions))(*(_SockFilter(*i) for i in instructions))
    fprog = _SockFprog(len(instructions), filters)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {errno.errorcode.get(ctypes.get_errno())}")
    if libc.syscall(target.seccomp, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(fprog)) != 0:
        raise SandboxUnavailable(f"seccomp(SET_MODE_FILTER) failed: {errno.errorcode.get(ctypes.get_errno())}")


def limit_memory(limit: int) -> None:
    """Cap this process's data segment and private mappings (RLIMIT_DATA): past it, allocations fail."""
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def anonymous_memory(pid: int) -> int | None:
    """The private resident memory of a process in bytes (resident minus shared pages), or None without /proc."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            fields = statm.read().split()
        return (int(fields[1]) - int(fields[2])) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return None
