package host

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/landscape-go/landscape/bench"
	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk/grid"
)

// Peers are other tools' evaluations of the benchmark's grids, timed
// beside landscape's backends (see bench/peers.py):
//
//   - numpy: the analytic surfaces as NumPy formulas on numpy.meshgrid,
//     float64 math cast to float32;
//   - torch-f32, torch-f64: a model surface vectorised in PyTorch, many
//     grid points at once with batched matrix products, one thread;
//     torch-f32-mt and torch-f64-mt: the same on every thread; torch-cuda:
//     float32 on a CUDA GPU (asked for by name only);
//   - loss-landscape: loss-landscape's loop, point after point: set the
//     network's weights, a forward pass over a DataLoader, repeat (float32,
//     every thread). It evaluates at most BenchOptions.PeerPoints points,
//     and its time is scaled to the whole grid.
func Peers() []string {
	return []string{"numpy", "torch-f32", "torch-f64", "torch-f32-mt", "torch-f64-mt", "torch-cuda", "loss-landscape"}
}

// ErrPeer: a benchmark peer failed or refused a case.
var ErrPeer = errors.New("host: benchmark peer failed")

// ErrBenchDisagree: a backend's or a peer's grid differs from the
// benchmark's reference grid beyond float32 rounding.
var ErrBenchDisagree = errors.New("host: benchmark grids disagree")

// peerServer is a running bench/peers.py --serve: one JSON request per
// line in, one answer per line out.
type peerServer struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	// dir holds the scripts and the files the cases read (planes, data,
	// results); Close removes it.
	dir  string
	once sync.Once
}

// peerReply is an answer of peers.py.
type peerReply struct {
	OK     bool    `json:"ok"`
	Error  string  `json:"error"`
	MS     float64 `json:"ms"`
	Points int     `json:"points"`
}

// startPeers writes the peers' scripts to a temporary folder and starts
// peers.py --serve with the interpreter python.
func startPeers(ctx context.Context, python string) (*peerServer, error) {
	dir, err := os.MkdirTemp("", "landscape-bench-")
	if err != nil {
		return nil, err
	}
	p := &peerServer{dir: dir}
	if err := fs.WalkDir(bench.Scripts, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := bench.Scripts.ReadFile(path)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, path), b, 0o644)
		}
		return err
	}); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p.cmd = exec.CommandContext(ctx, python, "-u", filepath.Join(dir, "peers.py"), "--serve")
	p.cmd.Stderr = io.Discard
	p.cmd.WaitDelay = 2 * time.Second
	in, err := p.cmd.StdinPipe()
	if err == nil {
		var out io.ReadCloser
		if out, err = p.cmd.StdoutPipe(); err == nil {
			p.in, p.out = in, bufio.NewReader(out)
			err = p.cmd.Start()
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%w: starting %s: %v", ErrPeer, python, err)
	}
	return p, nil
}

// call sends one request and reads its answer; an answer with an error
// is ErrPeer with the peer's message.
func (p *peerServer) call(req map[string]any) (peerReply, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return peerReply{}, err
	}
	if _, err := p.in.Write(append(b, '\n')); err != nil {
		return peerReply{}, fmt.Errorf("%w: peers.py stopped: %v", ErrPeer, err)
	}
	line, err := p.out.ReadBytes('\n')
	if err != nil {
		return peerReply{}, fmt.Errorf("%w: peers.py stopped (%v)", ErrPeer, err)
	}
	var r peerReply
	if err := json.Unmarshal(line, &r); err != nil {
		return peerReply{}, fmt.Errorf("%w: peers.py answered %q", ErrPeer, strings.TrimSpace(string(line)))
	}
	if r.Error != "" {
		return r, fmt.Errorf("%w: %s", ErrPeer, r.Error)
	}
	return r, nil
}

// Close ends the process and removes its folder.
func (p *peerServer) Close() {
	p.once.Do(func() {
		p.in.Close()
		p.cmd.Wait()
		os.RemoveAll(p.dir)
	})
}

// peerCase is one scene on one peer.
type peerCase struct {
	id   string
	peer string
	// points is how many grid points the peer evaluates (fewer than the
	// grid's for loss-landscape's loop).
	points int
}

// loadPeerCase describes scene sc to peer and returns the case; an error
// says why the peer does not take it. sceneDir holds the scene's files
// (written on first need).
func (a *App) loadPeerCase(ctx context.Context, p *peerServer, id, peer string, sc *Scene, sceneDir string, maxPoints int) (*peerCase, error) {
	g := sc.Grid
	req := map[string]any{"op": "load", "id": id, "peer": peer, "surface": sc.Desc.Name,
		"params": ConfiguredJSON(sc.Desc.Hyperparameters), "dim": sc.Desc.Dim}
	if peer == "numpy" {
		if sc.Desc.Dim != 2 || !slices.Equal(g.Origin, []float64{0, 0}) || !slices.Equal(g.U, []float64{1, 0}) || !slices.Equal(g.V, []float64{0, 1}) {
			return nil, fmt.Errorf("%w: numpy evaluates the x0,x1 plane of 2-parameter surfaces", ErrPeer)
		}
		req["x"], req["y"], req["nx"], req["ny"] = []float64{g.X.Lo, g.X.Hi}, []float64{g.Y.Lo, g.Y.Hi}, g.Nx, g.Ny
	} else {
		plane, data, err := a.peerFiles(ctx, sc, sceneDir)
		if err != nil {
			return nil, err
		}
		req["plane"], req["data"], req["points"] = plane, data, maxPoints
	}
	r, err := p.call(req)
	if err != nil {
		return nil, err
	}
	return &peerCase{id: id, peer: peer, points: r.Points}, nil
}

// peerFiles writes what the model peers read of sc into dir, once: the
// plane as eval's .npz writes it and the surface's data buffer, a row per
// sample (features, then target), as a float32 .npy.
func (a *App) peerFiles(ctx context.Context, sc *Scene, dir string) (plane, data string, err error) {
	plane, data = filepath.Join(dir, "plane.npz"), filepath.Join(dir, "data.npy")
	if _, err := os.Stat(data); err == nil {
		return plane, data, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	// The plane alone (origin, u, v, x, y): peers need no loss.
	if err := writeFile(ctx, plane, func(w io.Writer) error { return writePlaneNPZ(w, sc.Grid) }); err != nil {
		return "", "", err
	}
	d, err := a.SurfaceData(ctx, sc.Surface)
	if err != nil {
		return "", "", err
	}
	if err := writeFile(ctx, data, func(w io.Writer) error { return writeDataNPY(w, d) }); err != nil {
		return "", "", err
	}
	return plane, data, nil
}

// writeFile writes path atomically with write.
func writeFile(ctx context.Context, path string, write func(io.Writer) error) error {
	o, err := CreateOutput(ctx, path)
	if err != nil {
		return err
	}
	if err := write(o); err != nil {
		o.Abort()
		return err
	}
	return o.Commit()
}

// peerResult reads back the values of a peer's last run of c (its points,
// row-major) through a file in dir.
func (p *peerServer) result(c *peerCase) ([]float32, error) {
	path := filepath.Join(p.dir, "result-"+c.id+".npy")
	defer os.Remove(path)
	if _, err := p.call(map[string]any{"op": "save", "id": c.id, "path": path}); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := readNPY(f)
	if err != nil {
		return nil, fmt.Errorf("%w: its result: %v", ErrPeer, err)
	}
	var out []float32
	for _, r := range rows {
		for _, v := range r {
			out = append(out, float32(v))
		}
	}
	return out, nil
}

// checkGrid compares a backend's or a peer's values (the first len(got)
// points of the grid, row-major) with the reference field ref: it returns the largest
// difference relative to ref's largest magnitude, and an error when they
// disagree beyond float32 rounding (relative 1e-4 of each value plus 1e-5
// of the largest). A point beyond it still agrees when near is not nil
// and the value lies within that rounding of the range near gives, the
// reference's values over the float32 rounding of the point's
// coordinates: where the surface is that steep (eggholder's cusps, where
// √|u| meets u = 0), a float32 evaluation honestly lands anywhere in it.
// Only a few points (at most 1 in 1000, or 16) are looked at so.
func checkGrid(name string, got []float32, ref *compute.Field, near func(k int) (lo, hi float64, err error)) (float64, error) {
	if len(got) == 0 || len(got) > len(ref.Values) {
		return 0, fmt.Errorf("%w: %s returned %d values for a grid of %d", ErrBenchDisagree, name, len(got), len(ref.Values))
	}
	want := ref.Values[:len(got)]
	scale, worst := 0.0, 0.0
	for _, v := range want {
		if v == v {
			scale = max(scale, abs64(float64(v)))
		}
	}
	bad := compute.Disagree(got, want, 1e-4, 1e-5)
	steep := map[int]bool{}
	if near != nil && len(bad) <= max(16, len(got)/1000) {
		var still []int
		for _, k := range bad {
			lo, hi, err := near(k)
			if err != nil {
				return 0, err
			}
			v, tol := float64(got[k]), 1e-4*max(abs64(lo), abs64(hi))+1e-5*scale
			if v == v && lo-tol <= v && v <= hi+tol {
				steep[k] = true
				continue
			}
			still = append(still, k)
		}
		bad = still
	}
	for k := range got {
		if d := abs64(float64(got[k]) - float64(want[k])); d > worst && !steep[k] {
			worst = d
		}
	}
	if scale > 0 {
		worst /= scale
	}
	if len(bad) > 0 {
		k := bad[0]
		return worst, fmt.Errorf("%w: %s's grid differs from the reference at %d of %d points (first: point %d, %v against %v)", ErrBenchDisagree, name, len(bad), len(got), k, got[k], want[k])
	}
	return worst, nil
}

// roundingRange is the range of sc's values, evaluated on the CPU, over a
// 5×5 grid spanning the float32 rounding of grid point k's plane
// coordinates (4 units in the last place of each axis's largest
// magnitude, each way).
func (a *App) roundingRange(ctx context.Context, sc *Scene, k int) (lo, hi float64, err error) {
	p := sc.Grid.Plane
	i, j := k%p.Nx, k/p.Nx
	x, y := p.XAt(i), p.YAt(j)
	dx := 4 * 0x1p-24 * max(abs64(p.X.Lo), abs64(p.X.Hi))
	dy := 4 * 0x1p-24 * max(abs64(p.Y.Lo), abs64(p.Y.Hi))
	sub := *sc
	sub.Grid.Plane.X = grid.Interval{Lo: x - dx, Hi: x + dx}
	sub.Grid.Plane.Y = grid.Interval{Lo: y - dy, Hi: y + dy}
	sub.Grid.Plane.Nx, sub.Grid.Plane.Ny = 5, 5
	f, _, err := a.Evaluate(ctx, BackendCPU, &sub, compute.Options{})
	if err != nil {
		return 0, 0, err
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range f.Values {
		lo, hi = min(lo, float64(v)), max(hi, float64(v))
	}
	return lo, hi, nil
}

func abs64(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
