//go:build !linux

package host

import "os/exec"

// setDeathSignal is a no-op where the kernel has no parent-death signal; the
// host's Close still ends its plugins.
func setDeathSignal(*exec.Cmd) {}
