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
)

// benchPlugin builds the testfuncs plugin and returns a started client.
func benchPlugin(b *testing.B) (*sdk.SurfaceClient, func()) {
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
	return c, m.Close
}

func benchGrid(s sdk.Surface, n int) compute.Grid {
	d := s.Info().Domain
	return compute.Grid{Plane: sdk.AxisPlane(2, 0, 1, nil, d[0], d[1], n, n)}
}

// remoteSurface evaluates through the plugin process, as the CLI does.
func remoteSurface(c *sdk.SurfaceClient, s sdk.Surface) compute.Surface {
	return remote{e: Entry{Descriptor: sdk.Descriptor{Info: s.Info()}, Client: c}, desc: sdk.Descriptor{Info: s.Info()}}
}

func benchEval(b *testing.B, s compute.Surface, g compute.Grid) {
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
// the plugin process (go-plugin gRPC, streamed float32 chunks) on 2048²
// grids; the workers-1 variant shows scaling with cores.
func BenchmarkGrid2048(b *testing.B) {
	c, stop := benchPlugin(b)
	defer stop()
	for _, name := range []string{"rastrigin", "ripple"} {
		s, ok := funcs.ByName(name)
		if !ok {
			b.Fatalf("no surface %s", name)
		}
		g := benchGrid(s, 2048)
		b.Run(name+"/inprocess", func(b *testing.B) { benchEval(b, compute.Local{S: s}, g) })
		b.Run(name+"/inprocess-1worker", func(b *testing.B) { benchEval(b, compute.Local{S: s, Workers: 1}, g) })
		b.Run(name+"/plugin", func(b *testing.B) { benchEval(b, remoteSurface(c, s), g) })
	}
}
