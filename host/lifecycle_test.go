package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/landscape-go/landscape/sdk/client"
)

// stop sends SIGSTOP to pid and waits until the kernel says every thread
// of it is stopped (state T in /proc/PID/task/*/stat): a thread running
// on another CPU when the signal is sent may still answer a request.
func stop(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := func() bool {
		tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
		if err != nil || len(tasks) == 0 {
			return false
		}
		for _, f := range tasks {
			b, err := os.ReadFile(f)
			// pid (comm) state ...: the state follows the last ')'.
			i := bytes.LastIndexByte(b, ')')
			if err != nil || i < 0 || i+2 >= len(b) || b[i+2] != 'T' {
				return false
			}
		}
		return true
	}
	for end := time.Now().Add(5 * time.Second); !stopped(); time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("plugin %d not stopped 5 s after SIGSTOP", pid)
		}
	}
}

// TestCloseStoppedPlugin: ending a plugin that is stopped (SIGSTOP), which
// go-plugin's Kill would wait on without a deadline, takes a fraction of a
// second, and the process is gone.
func TestCloseStoppedPlugin(t *testing.T) {
	m := NewManager([]PluginFile{builtPlugin(t)}, io.Discard)
	p, err := m.start("testfuncs")
	if err != nil {
		t.Fatal(err)
	}
	pid := p.run.PID()
	stop(t, pid)
	t0 := time.Now()
	m.Close()
	if took := time.Since(t0); took > 2*time.Second {
		t.Errorf("Close took %v", took)
	}
	for end := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("plugin %d still runs after Close", pid)
		}
	}
	if _, err := os.Stat(m.dir); !os.IsNotExist(err) {
		t.Errorf("the host's folder %s is still there", m.dir)
	}
}

// TestHungPluginIsEnded: a call to a stopped plugin ends within about the
// stall limit as hung, and the plugin is ended with it.
func TestHungPluginIsEnded(t *testing.T) {
	m := NewManager([]PluginFile{builtPlugin(t)}, io.Discard)
	m.Limits.Stall = 300 * time.Millisecond
	defer m.Close()
	p, err := m.start("testfuncs")
	if err != nil {
		t.Fatal(err)
	}
	pid := p.run.PID()
	stop(t, pid)
	t0 := time.Now()
	_, err = p.sc.Loss(context.Background(), client.Points{Ref: client.Ref{Name: "ripple"}, Dim: 2, Points: []float64{0, 0}})
	if !errors.Is(err, client.ErrPluginHung) || !strings.Contains(err.Error(), "made no progress for 300ms while evaluating 1 points of surface ripple") {
		t.Fatalf("err = %v", err)
	}
	if took := time.Since(t0); took > 3*time.Second {
		t.Errorf("the hung call took %v", took)
	}
	if syscall.Kill(pid, 0) != syscall.ESRCH {
		// Reaped by go-plugin's goroutine: give it a moment.
		time.Sleep(200 * time.Millisecond)
		if syscall.Kill(pid, 0) != syscall.ESRCH {
			t.Errorf("the hung plugin %d still runs", pid)
		}
	}
}

// TestPluginEnvironment: a plugin starts with a minimal environment (none
// of the host's secrets) and no standard input.
func TestPluginEnvironment(t *testing.T) {
	t.Setenv("LANDSCAPE_TEST_SECRET_TOKEN", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "hush")
	t.Setenv("LANDSCAPE_LOG", "warn")
	m := NewManager([]PluginFile{builtPlugin(t)}, io.Discard)
	defer m.Close()
	p, err := m.start("testfuncs")
	if err != nil {
		t.Fatal(err)
	}
	pid := p.run.PID()
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	vars := map[string]string{}
	for _, kv := range strings.Split(string(env), "\x00") {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	if _, ok := vars["AWS_SECRET_ACCESS_KEY"]; ok {
		t.Error("the plugin got AWS_SECRET_ACCESS_KEY")
	}
	if vars["LANDSCAPE_LOG"] != "warn" || vars["PATH"] == "" || vars["LANDSCAPE_SHARED_DIR"] != m.sharedDir {
		t.Errorf("the plugin's environment lacks what it needs: %v", vars)
	}
	if in, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/0"); err != nil || in != os.DevNull {
		t.Errorf("the plugin's standard input is %q (%v), want %s", in, err, os.DevNull)
	}
	// In a process group of its own.
	if pg, _ := syscall.Getpgid(pid); pg != pid {
		t.Errorf("the plugin's process group is %d, want its own (%d)", pg, pid)
	}
}

// deadPID is the id of a process that has exited.
func deadPID(t *testing.T) int {
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	return c.Process.Pid
}

// TestStaleLeftovers: what dead hosts left (private folders, named
// temporary outputs) is removed; what live ones have is kept.
func TestStaleLeftovers(t *testing.T) {
	dir := t.TempDir()
	dead, live := strconv.Itoa(deadPID(t)), strconv.Itoa(os.Getpid())
	for _, n := range []string{"landscape-" + dead + "-1", "landscape-" + live + "-1", ".x.npy.tmp-" + dead + "-abc", ".x.npy.tmp-" + live + "-abc", "landscape-other"} {
		if err := os.Mkdir(filepath.Join(dir, n), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if n := removeStale(dir, privatePrefix); n != 1 {
		t.Errorf("removed %d folders, want 1", n)
	}
	o, err := CreateOutput(context.Background(), filepath.Join(dir, "x.npy"))
	if err != nil {
		t.Fatal(err)
	}
	o.Abort()
	var left []string
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		left = append(left, e.Name())
	}
	want := []string{".x.npy.tmp-" + live + "-abc", "landscape-" + live + "-1", "landscape-other"}
	if strings.Join(left, " ") != strings.Join(want, " ") {
		t.Errorf("left %v, want %v", left, want)
	}
}

// TestOutputMode: an output keeps the umask, and a file it replaces keeps
// its mode.
func TestOutputMode(t *testing.T) {
	dir := t.TempDir()
	write := func(path string) os.FileMode {
		o, err := CreateOutput(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		o.Write([]byte("x"))
		if err := o.Commit(); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	if got, want := write(filepath.Join(dir, "new")), 0o666&^umask(); got != want {
		t.Errorf("a new output has mode %v, want %v (umask %v)", got, want, umask())
	}
	for _, mode := range []os.FileMode{0o600, 0o640, 0o604} {
		p := filepath.Join(dir, "old"+mode.String())
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		if got := write(p); got != mode {
			t.Errorf("replacing a file of mode %v left mode %v", mode, got)
		}
	}
}

// TestInterruptedOutput: writes fail once the context ends, and nothing is
// left.
func TestInterruptedOutput(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	o, err := CreateOutput(ctx, filepath.Join(dir, "x.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Write(make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := o.Write(make([]byte, 100)); !errors.Is(err, ErrInterrupted) {
		t.Errorf("a write after the end: %v", err)
	}
	if err := o.Commit(); err == nil {
		t.Error("an interrupted output committed")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left %v", ents)
	}
}

// TestDiscoverShadows: a plugin found in an earlier folder shadows files
// of its name in later ones; the same file reached twice is no shadow.
func TestDiscoverShadows(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, p := range []string{filepath.Join(a, PluginPrefix+"x"), filepath.Join(b, PluginPrefix+"x"), filepath.Join(b, PluginPrefix+"y")} {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files, err := Discover([]string{a, b, a})
	if err != nil || len(files) != 2 {
		t.Fatalf("Discover = %+v, %v", files, err)
	}
	if files[0].Name != "x" || len(files[0].Shadows) != 1 || files[0].Shadows[0] != filepath.Join(b, PluginPrefix+"x") || len(files[1].Shadows) != 0 {
		t.Errorf("shadows: %+v", files)
	}
}

// TestReadLock: the lock file's format, and its refusals.
func TestReadLock(t *testing.T) {
	dir := t.TempDir()
	if l, err := ReadLock(filepath.Join(dir, "none")); l != nil || err != nil {
		t.Errorf("no lock file: %v, %v", l, err)
	}
	sum := strings.Repeat("ab", 32)
	good := filepath.Join(dir, "good")
	os.WriteFile(good, []byte("# a comment\n\nsha256:"+sum+" /p/landscape-plugin-x\n"), 0o600)
	l, err := ReadLock(good)
	if err != nil || l.Sums["/p/landscape-plugin-x"] != sum {
		t.Fatalf("ReadLock = %+v, %v", l, err)
	}
	if _, err := l.Sum("/q/landscape-plugin-x"); !errors.Is(err, ErrNotLocked) {
		t.Errorf("an unpinned plugin: %v", err)
	}
	for _, bad := range []string{"md5:" + sum + " /p/x", "sha256:" + sum[:10] + " /p/x", "sha256:" + sum + " relative/x", "sha256:" + strings.ToUpper(sum) + " /p/x"} {
		p := filepath.Join(dir, "bad")
		os.WriteFile(p, []byte(bad+"\n"), 0o600)
		if _, err := ReadLock(p); err == nil || !strings.Contains(err.Error(), "want sha256:HEX /absolute/path") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// BenchmarkPluginStart: a plugin's start, handshake (AutoMTLS
// certificates both ways) and first call, and its end.
func BenchmarkPluginStart(b *testing.B) {
	f := builtPlugin(b)
	for b.Loop() {
		m := NewManager([]PluginFile{f}, io.Discard)
		sc, err := m.Client("testfuncs")
		if err == nil {
			_, err = sc.List(context.Background())
		}
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
}

// TestAgree: how a GPU value is compared with the plugin's.
func TestAgree(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	for _, c := range []struct {
		g, c float64
		ok   bool
	}{
		{1, 1, true}, {1.0005, 1, true}, {1.01, 1, false}, {1000, 0.5, false},
		{nan, nan, true}, {nan, inf, true}, {inf, nan, true}, {nan, -inf, true},
		{nan, 1, false}, {1, nan, false}, {inf, 1, false}, {1, inf, false},
		{nan, 1e39, true}, {nan, 1e30, false},
	} {
		if got := agree(c.g, c.c); got != c.ok {
			t.Errorf("agree(%v, %v) = %v", c.g, c.c, got)
		}
	}
}
