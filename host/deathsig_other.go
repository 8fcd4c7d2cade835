//go:build !linux

package host

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcAttr puts the plugin in a process group of its own; there is no
// parent-death signal here, so the host's Close ends its plugins.
func setProcAttr(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// signalGroup sends sig to the process group of the plugin pid leads.
func signalGroup(pid int, sig syscall.Signal) { syscall.Kill(-pid, sig) }

// execVerified executes the checked file by its path: without /proc there
// is a short window in which the file could be swapped (docs/security.md).
func execVerified(*exec.Cmd, *os.File) {}

// limitMemory does nothing where RLIMIT_DATA cannot be set on another
// process.
func limitMemory(int, int64) {}

// physicalMemory is unknown here.
func physicalMemory() int64 { return 0 }

// onSpawnThread runs f; without a parent-death signal any thread will do.
func onSpawnThread(f func()) { f() }
