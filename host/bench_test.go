package host

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/plugins/testfuncs/funcs"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/landscape-go/landscape/sdk/grid"
)

// benchPlugin builds the testfuncs plugin and returns a started client and
// the manager's shared folder.
func benchPlugin(b *testing.B) (*client.SurfaceClient, string, func()) {
	b.Helper()
	dir := b.TempDir()
	exe := filepath.Join(dir, PluginPrefix+"testfuncs")
	if out, err := exec.Command("go", "build", "-o", exe, "../plugins/testfuncs").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	m := NewManager([]PluginFile{{Name: "testfuncs", Path: exe}}, os.Stderr)
	c, err := m.Client("testfuncs")
	if err != nil {
		b.Fatal(err)
	}
	return c, m.SharedDir(), m.Close
}

func benchGrid(s sdk.Surface, n int) compute.Grid {
	d := s.Info().Domain
	return compute.Grid{Plane: grid.AxisPlane(2, 0, 1, nil, d[0], d[1], n, n)}
}

// remoteSurface evaluates through the plugin process, as the CLI does;
// rows come through shared (a folder on tmpfs), or the stream when "".
func remoteSurface(c *client.SurfaceClient, s sdk.Surface, shared string) compute.Source {
	d := client.Descriptor{Info: s.Info()}
	surf := &Surface{Entry: Entry{Descriptor: d, Client: c, SharedDir: shared}, Ref: client.Ref{Name: d.Name}, Desc: d}
	return surf.cpu()
}

func benchEval(b *testing.B, s compute.Source, g compute.Grid) {
	b.ReportAllocs()
	b.SetBytes(g.Bytes())
	for b.Loop() {
		if _, err := (compute.CPU{}).Evaluate(context.Background(), s, g, compute.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(g.Len())*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevals/s")
}

// BenchmarkGrid2048 compares in-process evaluation with evaluation through
// the plugin process on 2048² grids: rows through a shared tmpfs file (what
// the CLI does) and streamed as gRPC float32 chunks (the fallback); the
// 1worker variant shows scaling with cores, numpy the NumPy baseline.
func BenchmarkGrid2048(b *testing.B) {
	c, shared, stop := benchPlugin(b)
	defer stop()
	np := startNumpy(b)
	for _, name := range []string{"rastrigin", "ripple"} {
		s, ok := funcs.ByName(name)
		if !ok {
			b.Fatalf("no surface %s", name)
		}
		g := benchGrid(s, 2048)
		b.Run(name+"/inprocess", func(b *testing.B) { benchEval(b, compute.Local{S: s}, g) })
		b.Run(name+"/inprocess-1worker", func(b *testing.B) { benchEval(b, compute.Local{S: s, Workers: 1}, g) })
		b.Run(name+"/plugin", func(b *testing.B) { benchEval(b, remoteSurface(c, s, shared), g) })
		b.Run(name+"/plugin-stream", func(b *testing.B) { benchEval(b, remoteSurface(c, s, ""), g) })
		b.Run(name+"/numpy", func(b *testing.B) { np.bench(b, name, g) })
	}
}

// numpy drives bench/peers.py --serve: one grid per request, so NumPy is
// timed alternately with the Go backends in the same run.
type numpy struct {
	p   *peerServer
	err error
}

func startNumpy(b *testing.B) *numpy {
	p, err := startPeers(context.Background(), "/usr/bin/python3")
	if err != nil {
		return &numpy{err: err}
	}
	b.Cleanup(p.Close)
	return &numpy{p: p}
}

func (n *numpy) bench(b *testing.B, name string, g compute.Grid) {
	if n.err != nil {
		b.Skipf("no NumPy: %v", n.err)
	}
	req := map[string]any{"op": "load", "id": name, "peer": "numpy", "surface": name,
		"x": []float64{g.X.Lo, g.X.Hi}, "y": []float64{g.Y.Lo, g.Y.Hi}, "nx": g.Nx, "ny": g.Ny}
	if _, err := n.p.call(req); err != nil {
		b.Fatalf("%v (needs Debian's python3-numpy)", err)
	}
	b.SetBytes(g.Bytes())
	for b.Loop() {
		if _, err := n.p.call(map[string]any{"op": "run", "id": name}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(g.Len())*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevals/s")
}
