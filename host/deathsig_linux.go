package host

import (
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// setProcAttr makes the kernel kill the plugin when the host dies, and
// puts it in a process group of its own (see signalGroup).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}

// signalGroup sends sig to the process group of the plugin pid leads.
func signalGroup(pid int, sig syscall.Signal) { syscall.Kill(-pid, sig) }

// execVerified makes cmd execute the open file f (whose checksum was
// checked) rather than its path, which could name another file by then:
// f becomes the plugin's file descriptor 3, executed through /proc.
func execVerified(cmd *exec.Cmd, f *os.File) {
	cmd.ExtraFiles = []*os.File{f}
	cmd.Args[0] = cmd.Path
	cmd.Path = "/proc/self/fd/3"
}

// limitMemory bounds the plugin's data (heap and other private writable
// memory) to n bytes; 0 leaves it unbounded. Past it, the plugin's
// allocations fail and it exits, which the host reports.
func limitMemory(pid int, n int64) {
	if n > 0 {
		unix.Prlimit(pid, unix.RLIMIT_DATA, &unix.Rlimit{Cur: uint64(n), Max: uint64(n)}, nil)
	}
}

// physicalMemory is the machine's memory in bytes (0 when unknown).
func physicalMemory() int64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
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
