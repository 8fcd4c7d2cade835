// Command faulty is a plugin that misbehaves on purpose, for the host's
// tests: surfaces that crash, stop (SIGSTOP) or loop forever, that lie
// (GLSL that disagrees with Loss, a minimum of the wrong value), that hog
// memory; optimizers that lie, stop, or ask for too much at once.
//
// Copied under another name it is another faulty plugin (see main):
// landscape-plugin-mute never completes its handshake while a child holds
// its standard output; landscape-plugin-wordy describes a surface with a
// GLSL snippet larger than a host accepts; landscape-plugin-stale-rows,
// -nan-minimum and -minimum-outside lie on the wire (package liar).
package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/sdktest/liar"
)

type crashy struct{}

func (crashy) Info() sdk.Info {
	return sdk.Info{Name: "crashy", Summary: "exits the plugin process where x > 0.5", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (crashy) Loss(p []float64) float64 {
	if p[0] > 0.5 {
		os.Exit(3)
	}
	return p[0]
}

type holey struct{}

func (holey) Info() sdk.Info {
	return sdk.Info{Name: "holey", Summary: "NaN where x < 0, +Inf where y > 0.5", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (holey) Loss(p []float64) float64 {
	switch {
	case p[0] < 0:
		return math.NaN()
	case p[1] > 0.5:
		return math.Inf(1)
	}
	return p[0] + p[1]
}

// GLSL gives holey's holes on the GPU too: 0/0 and 1/0.
func (holey) GLSL() string {
	return `float loss() {
	float x = P(0), y = P(1);
	if (x < 0.0) return 0.0 / 0.0;
	if (y > 0.5) return 1.0 / 0.0;
	return x + y;
}`
}

// badglsl's snippet does not compile: line 3 names nothing declared.
type badglsl struct{ holey }

func (badglsl) Info() sdk.Info {
	i := holey{}.Info()
	i.Name, i.Summary = "badglsl", "GLSL that does not compile"
	return i
}

func (badglsl) GLSL() string {
	return "float loss() {\n\tfloat x = P(0);\n\treturn x * nothing_here;\n}\n"
}

// fragile has GLSL (so the viewer shows it) and a hyperparameter (so the
// viewer's H and . keys ask the plugin to configure it), but its plugin
// exits when asked for a gradient where x > 0.5 (an optimizer started there
// crashes it; grids, which need only the loss, do not).
type fragile struct{ scale float64 }

func (f fragile) Info() sdk.Info {
	return sdk.Info{Name: "fragile", Summary: "scale·x, with GLSL; the plugin exits when asked for a gradient where x > 0.5", Dim: 2,
		Domain:          []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}},
		Hyperparameters: []sdk.Hyperparameter{{Name: "scale", Doc: "slope along x", Default: f.scale, Min: 0.1, Max: 10}}}
}

func (f fragile) Loss(p []float64) float64 { return f.scale * p[0] }

func (f fragile) Grad(dst, p []float64) {
	if p[0] > 0.5 {
		os.Exit(3)
	}
	dst[0], dst[1] = f.scale, 0
}

func (fragile) Configure(p sdk.Params) (sdk.Surface, error) { return fragile{scale: p["scale"]}, nil }

func (fragile) GLSL() string { return "float loss() { return scale * P(0); }" }

// mislead is a data-driven surface whose GLSL reads its data buffer but
// disagrees with its Loss: the mean of the data plus x·y on the CPU, that
// plus one on the GPU.
type mislead struct{}

func (mislead) Info() sdk.Info {
	return sdk.Info{Name: "mislead", Summary: "GLSL that disagrees with Loss", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (mislead) Data() []float32 { return []float32{1, 2, 3} }

func (mislead) Loss(p []float64) float64 { return 2 + p[0]*p[1] }

func (mislead) GLSL() string {
	return `float loss() {
	float s = 0.0;
	for (int i = 0; i < NDATA; i++) s += DATA(i);
	return s / float(NDATA) + P(0) * P(1) + 1.0;
}`
}

// liarOpt is an optimizer that returns a point of the wrong dimension after
// two steps.
type liarOpt struct{}

func (liarOpt) Info() sdk.OptimizerInfo {
	return sdk.OptimizerInfo{Name: "liar", Summary: "lies after two steps", Gradient: true}
}

func (liarOpt) Start(_ sdk.Params, x0 []float64, _ uint64) (sdk.Run, error) {
	return &liarRun{x: x0}, nil
}

type liarRun struct {
	x []float64
	t int
}

func (r *liarRun) Ask() ([][]float64, sdk.Need) { return [][]float64{r.x}, sdk.NeedGradient }

func (r *liarRun) Tell(_ []float64, g [][]float64) sdk.Step {
	if r.t++; r.t > 2 {
		return sdk.Step{X: []float64{1, 2, 3}}
	}
	for k := range r.x {
		r.x[k] -= 0.01 * g[0][k]
	}
	return sdk.Step{X: r.x}
}

// stop stops this process (SIGSTOP), as a debugger or a job-control
// mistake would: it neither answers nor dies.
func stop() {
	syscall.Kill(os.Getpid(), syscall.SIGSTOP)
	forever() // resumed: wait anyway
}

// forever waits and never returns (select {} alone would be a deadlock the
// runtime reports).
func forever() {
	for {
		time.Sleep(time.Hour)
	}
}

// freeze stops its plugin process when asked for a loss or a gradient
// where x > 0.5.
type freeze struct{}

func (freeze) Info() sdk.Info {
	return sdk.Info{Name: "freeze", Summary: "x + y; the plugin stops itself (SIGSTOP) where x > 0.5", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (freeze) Loss(p []float64) float64 {
	if p[0] > 0.5 {
		stop()
	}
	return p[0] + p[1]
}

func (freeze) Grad(dst, p []float64) {
	if p[0] > 0.5 {
		stop()
	}
	dst[0], dst[1] = 1, 1
}

// endless never returns from Loss where x > 0.5: the process lives and
// answers, but its evaluations never finish.
type endless struct{}

func (endless) Info() sdk.Info {
	return sdk.Info{Name: "endless", Summary: "x + y; Loss never returns where x > 0.5", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (endless) Loss(p []float64) float64 {
	if p[0] > 0.5 {
		forever()
	}
	return p[0] + p[1]
}

// glslLiar's Loss lies in [-1, 1]; its GLSL says 1000.
type glslLiar struct{}

func (glslLiar) Info() sdk.Info {
	return sdk.Info{Name: "glsl-liar", Summary: "sin(x)·cos(y); its GLSL returns 1000", Dim: 2,
		Domain: []sdk.Interval{{Lo: -3, Hi: 3}, {Lo: -3, Hi: 3}}}
}

func (glslLiar) Loss(p []float64) float64 { return math.Sin(p[0]) * math.Cos(p[1]) }

func (glslLiar) GLSL() string { return "float loss() { return 1000.0; }" }

// badmin declares a minimum of value 0 where its loss is 1.
type badmin struct{}

func (badmin) Info() sdk.Info {
	return sdk.Info{Name: "badmin", Summary: "x² + y² + 1, declaring its minimum to be 0", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}},
		Minima: []sdk.Minimum{{Location: []float64{0, 0}, Value: 0}}}
}

func (badmin) Loss(p []float64) float64 { return p[0]*p[0] + p[1]*p[1] + 1 }

// hog keeps 64 MiB more memory at every evaluation.
type hog struct{}

var hoard [][]byte

func (hog) Info() sdk.Info {
	return sdk.Info{Name: "hog", Summary: "x + y; each evaluation keeps 64 MiB more", Dim: 2,
		Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}}}
}

func (hog) Loss(p []float64) float64 {
	b := make([]byte, 64<<20)
	for i := range b {
		b[i] = 1 // touched: resident
	}
	hoard = append(hoard, b)
	return p[0] + p[1]
}

// frozen is an optimizer whose plugin stops itself (SIGSTOP) at its third
// step.
type frozen struct{}

func (frozen) Info() sdk.OptimizerInfo {
	return sdk.OptimizerInfo{Name: "frozen", Summary: "gradient descent that stops its plugin at step 3", Gradient: true}
}

func (frozen) Start(_ sdk.Params, x0 []float64, _ uint64) (sdk.Run, error) {
	return &frozenRun{x: x0}, nil
}

type frozenRun struct {
	x []float64
	t int
}

func (r *frozenRun) Ask() ([][]float64, sdk.Need) { return [][]float64{r.x}, sdk.NeedGradient }

func (r *frozenRun) Tell(_ []float64, g [][]float64) sdk.Step {
	if r.t++; r.t == 3 {
		stop()
	}
	for k := range r.x {
		r.x[k] -= 0.01 * g[0][k]
	}
	return sdk.Step{X: r.x}
}

// greedy asks for greedyPoints points at once, more than a host takes in
// one request.
type greedy struct{}

const greedyPoints = 1<<22 + 1000

func (greedy) Info() sdk.OptimizerInfo {
	return sdk.OptimizerInfo{Name: "greedy", Summary: "asks for 4195304 points in one request"}
}

func (greedy) Start(_ sdk.Params, x0 []float64, _ uint64) (sdk.Run, error) {
	flat := make([]float64, greedyPoints*len(x0))
	pts := make([][]float64, greedyPoints)
	for i := range pts {
		pts[i] = flat[i*len(x0) : (i+1)*len(x0)]
		copy(pts[i], x0)
	}
	return &greedyRun{x: x0, pts: pts}, nil
}

type greedyRun struct {
	x   []float64
	pts [][]float64
}

func (r *greedyRun) Ask() ([][]float64, sdk.Need) { return r.pts, sdk.NeedLoss }

func (r *greedyRun) Tell([]float64, [][]float64) sdk.Step { return sdk.Step{X: r.x, Done: true} }

// wordy's GLSL is 2 MiB of comment.
type wordy struct{ holey }

func (wordy) Info() sdk.Info {
	i := holey{}.Info()
	i.Name, i.Summary = "wordy", "a GLSL snippet of 2 MiB"
	return i
}

func (wordy) GLSL() string {
	return "// " + strings.Repeat("x", 2<<20) + "\nfloat loss() { return P(0); }\n"
}

// mute never completes its handshake: it starts a child that keeps its
// standard output open, and waits.
func mute() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		forever()
	}
	exe, _ := os.Executable()
	c := exec.Command(exe, "child")
	c.Args[0] = os.Args[0]
	c.Stdout = os.Stdout
	c.Start()
	forever()
}

func main() {
	switch name := strings.TrimPrefix(filepath.Base(os.Args[0]), "landscape-plugin-"); name {
	case "mute":
		mute()
	case "wordy":
		sdk.Serve(sdk.WithSurfaces(wordy{}))
	case string(liar.StaleRows), string(liar.NaNMinimum), string(liar.MinimumOutside):
		liar.Serve(liar.Lie(name))
	default:
		sdk.Serve(sdk.WithSurfaces(crashy{}, holey{}, badglsl{}, fragile{scale: 1}, mislead{}, freeze{}, endless{}, glslLiar{}, badmin{}, hog{}),
			sdk.WithOptimizers(liarOpt{}, frozen{}, greedy{}))
	}
}
