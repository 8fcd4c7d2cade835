package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pluginPIDs are the processes whose command line starts with a path in
// dir.
func pluginPIDs(dir string) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.HasPrefix(string(b), dir+string(os.PathSeparator)) {
			out = append(out, pid)
		}
	}
	return out
}

// TestKillsAtRandomMoments: the host or one of its plugins is killed
// (SIGKILL) at a random moment of real commands. A killed plugin is
// restarted and the command completes; a killed host leaves no output
// beside its destination (only a grid's journal, for --resume). Nothing
// outlives them: no plugin process is left, and once the next command has
// run no folder of a dead host is left in the runtime or shared folders.
func TestKillsAtRandomMoments(t *testing.T) {
	l := newLab(t, "testfuncs", "optimizers")
	bin, env, pdir, out := l.bin, l.env, l.pdir, l.out
	commands := [][]string{
		{"eval", "ripple", "--res", "3000", "--backend", "cpu", "-o", "grid.npy"},
		{"eval", "ripple", "--res", "1500", "--backend", "cpu", "-o", "grid.csv"},
		{"optimize", "rastrigin", "--set", "dim=64", "--optimizer", "adam", "--steps", "20000", "-o", "run.csv"},
		{"basins", "himmelblau", "--optimizer", "gd", "--res", "200", "--backend", "cpu", "--steps", "40", "-o", "basins.npy"},
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	refs := map[string][]byte{}
	for i := range 8 {
		args := commands[i%len(commands)]
		cmd := l.command(args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		time.Sleep(time.Duration(rng.Int64N(int64(1200 * time.Millisecond))))
		victim := "host"
		if pids := pluginPIDs(pdir); len(pids) > 0 && rng.IntN(2) == 0 {
			victim = "plugin"
			syscall.Kill(pids[rng.IntN(len(pids))], syscall.SIGKILL)
		} else {
			cmd.Process.Kill()
		}
		limit := 10 * time.Second
		if victim == "plugin" {
			limit = 3 * time.Minute // it carries on
		}
		select {
		case <-exited:
		case <-time.After(limit):
			cmd.Process.Kill()
			t.Fatalf("%v: the host did not exit within %v of its %s's death", args, limit, victim)
		}
		ok := cmd.ProcessState.Success()
		if victim == "plugin" && !ok {
			t.Errorf("%v: the command failed after its plugin was killed: %v", args, cmd.ProcessState)
		}
		ents, _ := os.ReadDir(out)
		dest := args[len(args)-1]
		journal := "." + dest + ".journal"
		for _, e := range ents {
			if e.Name() == journal && !ok {
				os.RemoveAll(filepath.Join(out, e.Name())) // kept for --resume
				continue
			}
			// A host killed after it committed its output (while it
			// stopped its plugins) leaves the whole output: the
			// undisturbed run's, byte for byte.
			if e.Name() == dest && !ok && complete(t, bin, env, args, filepath.Join(out, dest), refs) {
				os.Remove(filepath.Join(out, e.Name()))
				continue
			}
			if e.Name() != dest || !ok {
				t.Errorf("%v, %s killed (host exit %v): %s left in the output folder", args, victim, cmd.ProcessState, e.Name())
			}
			os.RemoveAll(filepath.Join(out, e.Name()))
		}
		for end := time.Now().Add(2 * time.Second); len(pluginPIDs(pdir)) > 0; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("%v, %s killed: plugins %v outlive their host", args, victim, pluginPIDs(pdir))
			}
		}
	}
	// The next command removes what the killed hosts left; then nothing
	// of any host is left.
	c := l.command("eval", "ripple", "--res", "4", "-o", "small.npy")
	if b, err := c.CombinedOutput(); err != nil {
		t.Fatalf("the next command: %v\n%s", err, b)
	}
	for _, d := range []string{l.rt, l.shm} {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			t.Errorf("%s holds %s after every host has exited", d, e.Name())
		}
	}
}

// complete reports whether the file at path is the output of args run
// undisturbed (run once, in a folder of its own, and kept in refs).
func complete(t *testing.T, bin string, env, args []string, path string, refs map[string][]byte) bool {
	t.Helper()
	key := strings.Join(args, " ")
	ref, ok := refs[key]
	if !ok {
		dir := t.TempDir()
		c := exec.Command(bin, args...)
		c.Env, c.Dir = env, dir
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%v, undisturbed: %v\n%s", args, err, b)
		}
		var err error
		if ref, err = os.ReadFile(filepath.Join(dir, args[len(args)-1])); err != nil {
			t.Fatal(err)
		}
		refs[key] = ref
	}
	got, err := os.ReadFile(path)
	return err == nil && bytes.Equal(got, ref)
}
