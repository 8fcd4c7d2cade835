package host

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

// setDeathSignal makes the kernel kill the plugin when the host dies.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// Linux sends the parent-death signal when the thread that forked the child
// ends, not the process, and Go ends a thread whose goroutine exits while
// locked to it (as GL code does). So every plugin is started from one
// thread, locked for good, that lives as long as the host.
var (
	spawnOnce sync.Once
	spawnCh   chan func()
)

// onSpawnThread runs f on the spawning thread and waits for it.
func onSpawnThread(f func()) {
	spawnOnce.Do(func() {
		spawnCh = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked: the thread must not be reused or end
			for g := range spawnCh {
				g()
			}
		}()
	})
	done := make(chan struct{})
	spawnCh <- func() { defer close(done); f() }
	<-done
}
