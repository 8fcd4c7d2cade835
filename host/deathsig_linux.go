package host

import (
	"os/exec"
	"syscall"
)

// setDeathSignal makes the kernel kill the plugin when the host dies.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
