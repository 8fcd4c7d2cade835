package host

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/landscape-go/landscape/compute/hessian"
	"github.com/landscape-go/landscape/plugins/models/model"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// BenchmarkHessianMLP times landscape's curvature analyses of the default
// MLP (moons, 8 hidden, tanh, ce) over 10,000 samples, through the models
// plugin process with its exact Hessian-vector products, alternately with
// the PyTorch peer bench/hvp_torch.py (double-backward products, float64)
// on the very same samples (the plugin's own draw, written as a CSV both
// read) and parameters: one product, 32 products in one request, the top 5
// eigenvalues by Lanczos (and PyHessian's power iteration on the torch
// side), Hutch++ and Hutchinson traces of 99 products, and an SLQ density
// of 10 runs of 42 steps. Run with
//
//	go test -run '^$' -bench HessianMLP -benchtime 5x -count 5 ./host
//
// (Debian's python3-torch for the peer; the benchmark never runs in CI.)
func BenchmarkHessianMLP(b *testing.B) {
	dir := b.TempDir()
	// The plugin's own samples as the CSV both sides read.
	m, err := sdk.Configure(model.MLP(), sdk.Params{"n": 10000})
	if err != nil {
		b.Fatal(err)
	}
	data := m.(sdk.SurfaceWithData).Data()
	csv := filepath.Join(dir, "moons.csv")
	var sb strings.Builder
	sb.WriteString("x0,x1,class\n")
	for i := 0; i+2 < len(data); i += 3 {
		fmt.Fprintf(&sb, "%v,%v,%v\n", data[i], data[i+1], data[i+2])
	}
	if err := os.WriteFile(csv, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	exe := filepath.Join(dir, PluginPrefix+"models")
	if out, err := exec.Command("go", "build", "-o", exe, "../plugins/models").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	a := &App{Stderr: io.Discard, Plugins: []PluginFile{{Name: "models", Path: exe}}}
	defer a.Close()
	ctx := context.Background()
	cat, err := a.Catalog(ctx)
	if err != nil {
		b.Fatal(err)
	}
	e, _ := cat.Lookup("mlp")
	s, err := a.Configure(ctx, e, client.Settings{Texts: sdk.Texts{"dataset": "csv", "csv": csv}})
	if err != nil {
		b.Fatal(err)
	}
	// Seeded parameters, written for the peer too.
	at := make([]float64, s.Desc.Dim)
	var words []string
	for i := range at {
		at[i] = 0.5 * float64((i*7919)%13-6) / 6
		words = append(words, fmt.Sprint(at[i]))
	}
	theta := filepath.Join(dir, "theta.txt")
	os.WriteFile(theta, []byte(strings.Join(words, ",")+"\n"), 0o644)
	op, err := a.HessianOperator(ctx, s, at, nil)
	if err != nil {
		b.Fatal(err)
	}
	if d := hessian.Describe(op); d != "exact" {
		b.Fatalf("products from %s, want exact", d)
	}
	peer := startTorch(b, csv, theta)
	vs := make([]float64, 32*s.Desc.Dim)
	for i := range vs {
		vs[i] = float64(i%5) - 2
	}
	dst := make([]float64, len(vs))
	n := s.Desc.Dim
	jobs := []struct {
		name  string
		go_   func() error
		torch string
		hvps  int
	}{
		{"hvp", func() error { return op.Apply(ctx, dst[:n], vs[:n]) }, "hvp", 1},
		{"hvp32", func() error { return op.Apply(ctx, dst, vs) }, "hvp 32", 32},
		{"lanczos5", func() error {
			_, err := hessian.Lanczos(ctx, op, hessian.LanczosSettings{Top: 5, Seed: 1})
			return err
		}, "lanczos5", 0},
		{"trace", func() error {
			_, err := hessian.HutchPP(ctx, op, hessian.TraceSettings{Queries: 99, Seed: 1})
			return err
		}, "trace", 0},
		{"slq", func() error {
			_, err := hessian.SLQ(ctx, op, hessian.DensitySettings{Probes: 10, Steps: n, Seed: 1})
			return err
		}, "slq", 0},
	}
	for _, j := range jobs {
		b.Run(j.name+"/landscape", func(b *testing.B) {
			// One untimed run first, on both sides: the plugin's first
			// products at the point compute the samples' forward pass.
			if err := j.go_(); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := j.go_(); err != nil {
					b.Fatal(err)
				}
			}
			if j.hvps > 0 {
				b.ReportMetric(float64(j.hvps*b.N)/b.Elapsed().Seconds(), "hvp/s")
			}
		})
		b.Run(j.name+"/torch", func(b *testing.B) { peer.run(b, j.torch, j.hvps) })
	}
	b.Run("top5-power/torch", func(b *testing.B) { peer.run(b, "top5", 0) })
}

// torchPeer drives bench/hvp_torch.py serve.
type torchPeer struct {
	in  io.WriteCloser
	out *bufio.Reader
	err error
}

func startTorch(b *testing.B, csv, theta string) *torchPeer {
	cmd := exec.Command("/usr/bin/python3", "../bench/hvp_torch.py", "serve", "--data", csv, "--theta", theta,
		"--threads", "1", "--slq-runs", "10", "--slq-steps", "42")
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return &torchPeer{err: err}
	}
	b.Cleanup(func() { io.WriteString(in, "quit\n"); in.Close(); cmd.Wait() })
	return &torchPeer{in: in, out: bufio.NewReader(out)}
}

// run times the peer's job by its own clock (the pipe's round trip left
// out), one job per iteration.
func (p *torchPeer) run(b *testing.B, job string, hvps int) {
	if p.err != nil {
		b.Skipf("no PyTorch peer: %v", p.err)
	}
	b.StopTimer()
	var total time.Duration
	for i := -1; i < b.N; i++ { // i = −1: untimed
		if _, err := io.WriteString(p.in, job+"\n"); err != nil {
			b.Fatal(err)
		}
		line, err := p.out.ReadString('\n')
		var secs float64
		if err != nil || !strings.HasPrefix(line, "ok ") {
			b.Fatalf("hvp_torch.py answered %q, %v (needs Debian's python3-torch)", line, err)
		}
		fmt.Sscanf(line, "ok %g", &secs)
		if i >= 0 {
			total += time.Duration(secs * float64(time.Second))
		}
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/op")
	if hvps > 0 {
		b.ReportMetric(float64(hvps*b.N)/total.Seconds(), "hvp/s")
	}
}
