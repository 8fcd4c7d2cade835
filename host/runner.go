package host

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin/runner"
)

// procRunner starts a plugin executable for go-plugin (ClientConfig's
// RunnerFunc), the way the host wants it started:
//   - from the host's spawning thread (deathsig_linux.go), so that the
//     plugin dies with the host;
//   - in a process group of its own, so that ending it ends its children;
//   - with a minimal environment (pluginEnv) and no standard input;
//   - when its checksum is pinned, from the very file whose checksum was
//     checked (no window in which the file could be swapped);
//   - with its memory bounded (RLIMIT_DATA, where there is one);
//
// and so that it can always be ended: kill signals the whole group and
// closes the pipes go-plugin reads, which no child of the plugin can keep
// open on the host's behalf.
type procRunner struct {
	logger hclog.Logger
	path   string
	cmd    *exec.Cmd
	// sum, when set, is the sha256 the file must have.
	sum    string
	memory int64

	exited chan struct{}

	mu             sync.Mutex
	stopped        bool     // stop was called: the plugin must not start
	pipesClosed    bool     //
	stdout, stderr *os.File // the read ends; the plugin has the write ends
	pid            int
}

var _ runner.Runner = (*procRunner)(nil)

// newRunner prepares to run path under go-plugin's cmd (whose Env holds
// go-plugin's variables: the magic cookie, the socket folder, the
// certificate of AutoMTLS), adding env.
func newRunner(logger hclog.Logger, path string, spec *exec.Cmd, env []string, sum string, memory int64) (*procRunner, error) {
	r := &procRunner{logger: logger, path: path, sum: sum, memory: memory, exited: make(chan struct{})}
	cmd := exec.Command(path)
	cmd.Env = append(append([]string(nil), env...), spec.Env...)
	cmd.Stdin = nil // /dev/null
	setProcAttr(cmd)
	r.cmd = cmd
	return r, nil
}

// ErrChecksum: a plugin's file is not the one its lock pins.
var ErrChecksum = errors.New("host: plugin checksum mismatch")

func (r *procRunner) Start(context.Context) error {
	if r.sum != "" {
		f, err := os.Open(r.path)
		if err != nil {
			return err
		}
		defer f.Close()
		got, err := fileSum(f)
		if err != nil {
			return err
		}
		if got != r.sum {
			return fmt.Errorf("%w: %s has sha256 %s, the lock file pins %s", ErrChecksum, r.path, got, r.sum)
		}
		execVerified(r.cmd, f)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return err
	}
	r.cmd.Stdout, r.cmd.Stderr = outW, errW
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		err = errStopped
	} else {
		onSpawnThread(func() { err = r.cmd.Start() })
	}
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return err
	}
	r.stdout, r.stderr, r.pid = outR, errR, r.cmd.Process.Pid
	limitMemory(r.pid, r.memory)
	r.logger.Debug("plugin started", "path", r.path, "pid", r.pid)
	return nil
}

// errStopped: the host ended a plugin before it started.
var errStopped = errors.New("host: stopped before it started")

// fileSum is the sha256 of what is left to read of f, in hex.
func fileSum(f io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (r *procRunner) Wait(context.Context) error {
	defer close(r.exited)
	return r.cmd.Wait()
}

// PID is the plugin's process id (0 before it started).
func (r *procRunner) PID() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pid
}

// Kill ends the plugin's process group at once (go-plugin's Kill calls it
// after its grace period; the host calls signal and closePipes itself).
func (r *procRunner) Kill(context.Context) error {
	r.signal(syscall.SIGKILL)
	r.closePipes()
	return nil
}

// signal sends sig to the plugin's process group.
func (r *procRunner) signal(sig syscall.Signal) {
	if pid := r.PID(); pid > 0 {
		signalGroup(pid, sig)
	}
}

// closePipes closes the ends go-plugin reads, so that its readers return
// even when a child of the plugin holds the other ends.
func (r *procRunner) closePipes() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pipesClosed || r.stdout == nil {
		return
	}
	r.pipesClosed = true
	r.stdout.Close()
	r.stderr.Close()
}

// stop ends the plugin, or keeps it from starting: SIGTERM to its group,
// then, if it has not exited within grace, SIGKILL; then its pipes are
// closed. It returns within about grace whatever the plugin does.
func (r *procRunner) stop(grace time.Duration) {
	r.mu.Lock()
	r.stopped = true
	pid := r.pid
	r.mu.Unlock()
	if pid <= 0 {
		return
	}
	signalGroup(pid, syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(grace):
	}
	signalGroup(pid, syscall.SIGKILL) // its children too, if it left any
	r.closePipes()
}

func (r *procRunner) Diagnose(context.Context) string { return "" }
func (r *procRunner) Stdout() io.ReadCloser           { return r.stdout }
func (r *procRunner) Stderr() io.ReadCloser           { return r.stderr }
func (r *procRunner) Name() string                    { return r.path }
func (r *procRunner) ID() string {
	if pid := r.PID(); pid > 0 {
		return strconv.Itoa(pid)
	}
	return ""
}
func (r *procRunner) PluginToHost(network, addr string) (string, string, error) {
	return network, addr, nil
}
func (r *procRunner) HostToPlugin(network, addr string) (string, string, error) {
	return network, addr, nil
}
