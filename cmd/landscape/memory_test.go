package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/landscape-go/landscape/host"
)

// TestMemoryEstimates: what --max-memory counts is an upper bound of what
// a command really holds: the host's peak resident memory above the same
// command's on a tiny grid, measured, is at most what the host says the
// command needs (as it says when a budget of one byte refuses it).
func TestMemoryEstimates(t *testing.T) {
	dir := plugins(t)
	bin, err := exec.LookPath("landscape")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	env := append(os.Environ(), "LANDSCAPE_PLUGIN_PATH="+filepath.Join(dir, "plugins"), "XDG_CACHE_HOME="+filepath.Join(work, "cache"))
	needRE := regexp.MustCompile(`needs about ([0-9.]+) (B|KiB|MiB|GiB)`)
	units := map[string]float64{"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
	// peak runs the command and returns its peak resident memory in bytes,
	// as the binary reports it (host.PeakFileEnv): its own high-water
	// mark. The rusage that wait4 reports would not do: the child starts
	// as a vfork of this test process and is charged with its pages.
	peakFile := filepath.Join(work, "peak")
	peak := func(args ...string) int64 {
		c := exec.Command(bin, args...)
		c.Env, c.Dir = append(env, host.PeakFileEnv+"="+peakFile), work
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		b, err := os.ReadFile(peakFile)
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil || n <= 0 {
			t.Fatalf("peak memory %q: %v", b, err)
		}
		return n
	}
	for _, c := range []struct {
		name string
		res  string
		args func(res string) []string
	}{
		{"eval cpu", "2048", func(r string) []string {
			return []string{"eval", "ripple", "--backend", "cpu", "--res", r, "-o", "x.npy"}
		}},
		{"render cpu", "1024", func(r string) []string {
			return []string{"render", "ripple", "--backend", "cpu", "--res", r, "-o", "x.png"}
		}},
		{"basins cpu", "512", func(r string) []string {
			return []string{"basins", "himmelblau", "--optimizer", "gd", "--steps", "10", "--backend", "cpu", "--res", r, "-o", "x.npy"}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			big := c.res
			refuse := exec.Command(bin, append(c.args(big), "--max-memory", "1b")...)
			refuse.Env, refuse.Dir = env, work
			out, err := refuse.CombinedOutput()
			m := needRE.FindStringSubmatch(string(out))
			if err == nil || m == nil {
				t.Fatalf("a budget of 1 byte: %v\n%s", err, out)
			}
			v, _ := strconv.ParseFloat(m[1], 64)
			need := int64(math.Ceil(v * units[m[2]]))
			small, large := peak(c.args("8")...), peak(c.args(big)...)
			t.Logf("%s at %s: %d MiB above the tiny grid's, estimated %d MiB", c.name, big, (large-small)>>20, need>>20)
			if large-small > need {
				t.Errorf("%s at %s holds %d MiB more than at 8, over its estimate of %d MiB", c.name, big, (large-small)>>20, need>>20)
			}
		})
	}
}
