//go:build !linux

package host

import "os/exec"

// setDeathSignal is a no-op where the kernel has no parent-death signal; the
// host's Close still ends its plugins.
func setDeathSignal(*exec.Cmd) {}

// onSpawnThread runs f; without a parent-death signal any thread will do.
func onSpawnThread(f func()) { f() }
