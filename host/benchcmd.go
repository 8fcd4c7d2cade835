package host

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// BenchCommands are the commands Bench can time end to end, each in a
// process of its own (BenchOptions.Commands): eval writes the grid as
// .npy, render as a PNG.
func BenchCommands() []string { return []string{"eval", "render"} }

// PeakFileEnv names the file to which the landscape binary writes its peak
// resident memory (PeakRSS, in bytes) when a command succeeds; Bench sets
// it for the commands it times.
const PeakFileEnv = "LANDSCAPE_PEAK_FILE"

// benchCommand is a run of the landscape binary exe: command on the scene
// sc with backend, writing into dir. It returns the wall time and the
// process's peak resident memory (its own, as it reports it through
// PeakFileEnv; its plugins' apart).
func benchCommand(ctx context.Context, exe, command, backend string, sc *Scene, o BenchOptions, dir string) (time.Duration, int64, error) {
	ext := ".npy"
	if command == "render" {
		ext = ".png"
	}
	out := filepath.Join(dir, command+ext)
	defer os.Remove(out)
	args := commandArgs(command, backend, sc, o, out)
	cmd := exec.CommandContext(ctx, exe, args...)
	peakFile := filepath.Join(dir, "peak")
	defer os.Remove(peakFile)
	cmd.Env = append(os.Environ(), PeakFileEnv+"="+peakFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	err := cmd.Run()
	d := time.Since(t0)
	if err != nil {
		return 0, 0, fmt.Errorf("%s %s: %v: %s", filepath.Base(exe), strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	b, err := os.ReadFile(peakFile)
	if err != nil {
		return d, 0, fmt.Errorf("%s wrote no peak memory: %v", filepath.Base(exe), err)
	}
	peak, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return d, peak, err
}

// commandArgs are the arguments of command for scene sc: its surface,
// resolution, settings and plane as o gives them.
func commandArgs(command, backend string, sc *Scene, o BenchOptions, out string) []string {
	g := sc.Grid
	args := []string{command, sc.Entry.Name, "--res", fmt.Sprintf("%dx%d", g.Nx, g.Ny), "--backend", backend, "-o", out}
	var keys []string
	for k := range o.Settings.Params {
		keys = append(keys, k)
	}
	for k := range o.Settings.Texts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v, ok := o.Settings.Params[k]; ok {
			args = append(args, "--set", k+"="+strconv.FormatFloat(v, 'g', -1, 64))
		} else {
			args = append(args, "--set", k+"="+o.Settings.Texts[k])
		}
	}
	p := o.Plane
	if p.Kind != PlaneAxis {
		args = append(args, "--plane", p.Kind.String(), "--plane-seed", strconv.FormatUint(p.Seed, 10))
	} else if p.Axes != [2]int{} {
		args = append(args, "--axes", fmt.Sprintf("%d,%d", p.Axes[0], p.Axes[1]))
	}
	if p.At != nil {
		at := make([]string, len(p.At))
		for i, v := range p.At {
			at[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		args = append(args, "--at", strings.Join(at, ","))
	}
	return args
}
