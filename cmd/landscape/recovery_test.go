package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lab is a folder of real plugin copies and an environment that runs the
// real binary on them, for tests that kill processes.
type lab struct {
	bin, work, pdir, out string
	rt, shm              string // the hosts' runtime and shared folders
	env                  []string
}

func newLab(t *testing.T, plugs ...string) *lab {
	t.Helper()
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("needs /proc")
	}
	dir := plugins(t)
	bin, err := exec.LookPath("landscape") // this test binary, as testscript put it on PATH
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	rt, err := os.MkdirTemp("/tmp", "ls") // sockets' paths must be short
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	l := &lab{bin: bin, work: work, pdir: filepath.Join(work, "p"), out: filepath.Join(work, "out"), rt: rt, shm: filepath.Join(work, "shm")}
	for _, d := range []string{l.shm, l.pdir, l.out} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range plugs {
		b, err := os.ReadFile(filepath.Join(dir, "plugins", "landscape-plugin-"+n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(l.pdir, "landscape-plugin-"+n), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	l.env = append(os.Environ(), "XDG_RUNTIME_DIR="+rt, "LANDSCAPE_SHARED_ROOT="+l.shm,
		"LANDSCAPE_PLUGIN_PATH="+l.pdir, "XDG_CACHE_HOME="+filepath.Join(work, "cache"))
	return l
}

// command is the binary running args in the lab's output folder.
func (l *lab) command(args ...string) *exec.Cmd {
	c := exec.Command(l.bin, args...)
	c.Env, c.Dir = l.env, l.out
	return c
}

// run runs args and fails the test unless they succeed; it returns stderr.
func (l *lab) run(t *testing.T, args ...string) string {
	t.Helper()
	var stderr bytes.Buffer
	c := l.command(args...)
	c.Stderr = &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stderr.String())
	}
	return stderr.String()
}

// pid is the process id of the named plugin's process now (0: none).
func (l *lab) pid(plugin string) int {
	for _, p := range pluginPIDs(l.pdir) {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p), "cmdline"))
		if err == nil && strings.HasPrefix(string(b), filepath.Join(l.pdir, "landscape-plugin-"+plugin)+"\x00") {
			return p
		}
	}
	return 0
}

// read reads a file of the output folder.
func (l *lab) read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(l.out, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tileStats is the summary's tiles block.
type tileStats struct {
	Tiles, Resumed, Evaluated, Requests, Restarts int
}

func (l *lab) tiles(t *testing.T, summary string) tileStats {
	t.Helper()
	var s struct {
		Tiles tileStats `json:"tiles"`
	}
	if err := json.Unmarshal(l.read(t, summary), &s); err != nil {
		t.Fatalf("%s: %v", summary, err)
	}
	return s.Tiles
}

// syncBuffer is a bytes.Buffer for a process's output read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// journalTiles counts the tile records in a journal folder.
func journalTiles(dir string) int {
	ents, _ := os.ReadDir(dir)
	n := 0
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tile") {
			n++
		}
	}
	return n
}

var restartLine = regexp.MustCompile(`(?m)^landscape: plugin testfuncs exited or crashed while evaluating rows \[\d+, \d+\) of surface rastrigin; restarted it \([123] of 3\)$`)

// TestPluginKillsRecovered: the surface's plugin is killed (SIGKILL) at
// random moments while a grid of many tiles is evaluated, at least 20
// times across runs. Every run finishes, its output byte for byte the
// undisturbed run's, having evaluated each tile once and asked again only
// for the tile each dead plugin was evaluating: requests = tiles +
// restarts, one restart (and one line) per kill that found the plugin at
// work.
func TestPluginKillsRecovered(t *testing.T) {
	l := newLab(t, "testfuncs")
	grid := []string{"eval", "rastrigin", "--set", "dim=64", "--res", "1000x600", "--tile-rows", "6", "--backend", "cpu", "--no-stats"}
	l.run(t, append(grid, "-o", "ref.npy", "--summary", "ref.json")...)
	ref := l.read(t, "ref.npy")
	if st := l.tiles(t, "ref.json"); st.Tiles != 100 || st.Evaluated != 100 || st.Requests != 100 || st.Restarts != 0 {
		t.Fatalf("the undisturbed run's tiles: %+v", st)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	kills, restarts := 0, 0
	for run := 0; restarts < 20; run++ {
		if run == 12 {
			t.Fatalf("%d restarts after %d kills in %d runs: the kills do not reach the plugin at work", restarts, kills, run)
		}
		out, sum := fmt.Sprintf("k%d.npy", run), fmt.Sprintf("k%d.json", run)
		var stderr syncBuffer
		c := l.command(append(grid, "-o", out, "--summary", sum)...)
		c.Stderr = &stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { c.Wait(); close(exited) }()
		journal := filepath.Join(l.out, "."+out+".journal")
		// Kill the plugin at random moments once the grid is under way,
		// each time once its successor has finished a tile (so that no
		// tile meets more kills than the retry limit): the journal, whose
		// writer may be up to three tiles behind, has three more.
		running, next := true, 1 // tiles in the journal before the next kill
		for running {
			select {
			case <-exited:
				running = false
				continue
			case <-time.After(time.Duration(10+rng.IntN(150)) * time.Millisecond):
			}
			if journalTiles(journal) < next {
				continue
			}
			if p := l.pid("testfuncs"); p > 0 && syscall.Kill(p, syscall.SIGKILL) == nil {
				kills++
				next = journalTiles(journal) + 3
			}
		}
		if !c.ProcessState.Success() {
			t.Fatalf("run %d (%d kills so far): %v\n%s", run, kills, c.ProcessState, stderr.String())
		}
		if !bytes.Equal(l.read(t, out), ref) {
			t.Fatalf("run %d: the grid differs from the undisturbed run's", run)
		}
		st := l.tiles(t, sum)
		lines := len(restartLine.FindAllString(stderr.String(), -1))
		t.Logf("run %d: %+v", run, st)
		if st.Tiles != 100 || st.Evaluated != 100 || st.Resumed != 0 || st.Requests != st.Evaluated+st.Restarts || st.Restarts != lines {
			t.Fatalf("run %d: tiles %+v, %d restart lines:\n%s", run, st, lines, stderr.String())
		}
		if _, err := os.Stat(journal); !os.IsNotExist(err) {
			t.Errorf("run %d: the default journal is left after the output was written", run)
		}
		restarts += st.Restarts
	}
	if restarts > kills {
		t.Fatalf("%d restarts for %d kills", restarts, kills)
	}
	t.Logf("%d kills, %d restarts", kills, restarts)
}

// TestHostKilledResumes: the host itself is killed (SIGKILL) mid-grid; the
// same command with --resume evaluates only the tiles the journal lacks,
// and the grid is the undisturbed run's, byte for byte. A record torn by
// the kill (here: cut short on purpose) is noticed and its tile evaluated
// again.
func TestHostKilledResumes(t *testing.T) {
	l := newLab(t, "testfuncs")
	grid := []string{"eval", "rastrigin", "--set", "dim=64", "--res", "800x600", "--tile-rows", "6", "--backend", "cpu", "--no-stats"}
	l.run(t, append(grid, "-o", "ref.npz")...)
	ref := l.read(t, "ref.npz")
	for i, frac := range []int{20, 60} {
		out, sum := fmt.Sprintf("g%d.npz", i), fmt.Sprintf("g%d.json", i)
		journal := filepath.Join(l.out, "."+out+".journal")
		c := l.command(append(grid, "-o", out)...)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		for end := time.Now().Add(2 * time.Minute); journalTiles(journal) < frac; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(end) {
				c.Process.Kill()
				t.Fatalf("the journal has %d tiles after 2 minutes", journalTiles(journal))
			}
		}
		c.Process.Kill()
		c.Wait()
		if _, err := os.Stat(filepath.Join(l.out, out)); !os.IsNotExist(err) {
			t.Fatalf("a killed host left %s", out)
		}
		held := journalTiles(journal)
		torn := 0
		if i == 1 { // a record cut short, as a full disk or a kill could leave one
			f := filepath.Join(journal, "loss-000003.tile")
			if err := os.Truncate(f, 1000); err != nil {
				t.Fatal(err)
			}
			torn = 1
		}
		stderr := l.run(t, append(grid, "-o", out, "--resume", "--summary", sum)...)
		if want := fmt.Sprintf("landscape: resuming from .%s.journal: %d of 100 tiles done\n", out, held); !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
		if torn > 0 && !strings.Contains(stderr, "tile 3 (rows [18, 24)) of loss is torn or not a record") {
			t.Errorf("the torn record is not reported:\n%s", stderr)
		}
		st := l.tiles(t, sum)
		t.Logf("killed with %d tiles in the journal: %+v", held, st)
		if st.Resumed != held-torn || st.Evaluated != 100-held+torn || st.Requests != st.Evaluated || st.Restarts != 0 {
			t.Fatalf("killed with %d tiles in the journal, resumed: %+v", held, st)
		}
		if !bytes.Equal(l.read(t, out), ref) {
			t.Fatalf("the resumed grid differs from the undisturbed run's")
		}
		if _, err := os.Stat(journal); !os.IsNotExist(err) {
			t.Errorf("the default journal is left after the output was written")
		}
	}
}

// TestOptimizerKillsReplayed: during optimize and basins through the
// plugins, the optimizer's plugin or the surface's is killed at random
// moments; the runs are replayed to where they were and go on, and the
// outputs are the undisturbed runs', byte for byte.
func TestOptimizerKillsReplayed(t *testing.T) {
	l := newLab(t, "testfuncs", "optimizers")
	cmds := [][]string{
		{"optimize", "rastrigin", "--set", "dim=64", "--optimizer", "adam", "--steps", "1500", "--keep-going", "--start", "random", "--seed", "3"},
		{"basins", "himmelblau", "--optimizer", "momentum", "--set", "lr=0.01", "--res", "64", "--backend", "cpu", "--steps", "300"},
	}
	outs := []string{"traj.csv", "basins.npy"}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	for i, args := range cmds {
		t0 := time.Now()
		l.run(t, append(args, "-o", "ref-"+outs[i])...)
		d := time.Since(t0) // how long a run takes now, on this machine
		ref := l.read(t, "ref-"+outs[i])
		// Runs until a kill has reached a plugin at work (at least two
		// runs, at most eight): the kills' moments are random, what is
		// checked is their outcome.
		restarts, run := 0, 0
		for ; run < 2 || restarts == 0 && run < 8; run++ {
			out := fmt.Sprintf("k%d-%s", run, outs[i])
			var stderr syncBuffer
			c := l.command(append(args, "-o", out)...)
			c.Stderr = &stderr
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { c.Wait(); close(exited) }()
			// The first kill at a random moment of the run's first
			// two thirds, the next ones each once the restarted plugin
			// has been at work a while; at most as many kills a run as
			// the retry limit (3), so that no step can meet more of them
			// however slowly a restarted run replays its steps.
			wait := time.Duration(float64(d) * (0.05 + 0.6*rng.Float64()))
			for running, kills := true, 0; running; {
				select {
				case <-exited:
					running = false
					continue
				case <-time.After(wait):
				}
				if kills == 3 {
					wait = time.Hour
					continue
				}
				kills++
				wait = time.Duration(100+rng.IntN(400)) * time.Millisecond
				victim := []string{"optimizers", "testfuncs"}[rng.IntN(2)]
				if p := l.pid(victim); p > 0 {
					syscall.Kill(p, syscall.SIGKILL)
					for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
						if q := l.pid(victim); q > 0 && q != p || isClosed(exited) {
							break
						}
					}
					time.Sleep(200 * time.Millisecond)
				}
			}
			if !c.ProcessState.Success() {
				t.Fatalf("%s run %d: %v\n%s", args[0], run, c.ProcessState, stderr.String())
			}
			if !bytes.Equal(l.read(t, out), ref) {
				t.Fatalf("%s run %d: the output differs from the undisturbed run's\n%s", args[0], run, stderr.String())
			}
			restarts += strings.Count(stderr.String(), "; restarted it")
		}
		t.Logf("%s (undisturbed: %v): %d restarts in %d runs", args[0], d.Round(time.Millisecond), restarts, run)
		if restarts == 0 {
			t.Errorf("%s: no kill reached a plugin at work in %d runs", args[0], run)
		}
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
