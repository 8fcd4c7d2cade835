package sdktest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/landscape-go/landscape/sdk/internal/seeds"
)

// The optimizer checks that drive runs through the SDK's batching over the
// wire, as a host does: the batch check and the wire half of the
// malformed check.

// ---- batch ----

// sabotage is how a run of a batch is made to fail.
type sabotage int

const (
	askPanics  sabotage = iota + 1 // its first Ask panics
	tellPanics                     // its first Tell panics
	badAnswer                      // its first Tell hands the run no losses and no gradients
)

func (s sabotage) String() string {
	return [...]string{"", "a panic in Ask", "a panic in Tell", "a malformed answer"}[s]
}

// saboteur serves an optimizer and makes the runs it is told of (by seed)
// fail.
type saboteur struct {
	sdk.Optimizer
	mu  sync.Mutex
	how map[uint64]sabotage
}

func (s *saboteur) Start(p sdk.Params, x0 []float64, seed uint64) (sdk.Run, error) {
	r, err := s.Optimizer.Start(p, x0, seed)
	return s.spoil(r, err, seed)
}

// textSaboteur is a saboteur of an optimizer with texts.
type textSaboteur struct{ *saboteur }

func (s textSaboteur) StartTexts(p sdk.Params, t sdk.Texts, x0 []float64, seed uint64) (sdk.Run, error) {
	r, err := s.Optimizer.(sdk.OptimizerWithTexts).StartTexts(p, t, x0, seed)
	return s.spoil(r, err, seed)
}

// spoil makes the run seeded seed fail as it was told.
func (s *saboteur) spoil(r sdk.Run, err error, seed uint64) (sdk.Run, error) {
	s.mu.Lock()
	how := s.how[seed]
	s.mu.Unlock()
	if err != nil || how == 0 {
		return r, err
	}
	return &sabotaged{Run: r, how: how}, nil
}

// target makes run i of the batch seeded seed fail as how says.
func (s *saboteur) target(seed uint64, i int, how sabotage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.how == nil {
		s.how = map[uint64]sabotage{}
	}
	s.how[seeds.Mix(seed, i)] = how
}

type sabotaged struct {
	sdk.Run
	how sabotage
}

func (s *sabotaged) Ask() ([][]float64, sdk.Need) {
	if s.how == askPanics {
		panic("sdktest: a run made to fail in Ask")
	}
	return s.Run.Ask()
}

func (s *sabotaged) Tell(losses []float64, grads [][]float64) sdk.Step {
	switch s.how {
	case tellPanics:
		panic("sdktest: a run made to fail in Tell")
	case badAnswer:
		s.how = 0
		return s.Run.Tell(nil, nil)
	}
	return s.Run.Tell(losses, grads)
}

// serveOptimizer serves o in this process as a plugin (sdk.ServeTest) and
// returns the host's client of it, and a function that stops it.
func serveOptimizer(o sdk.Optimizer) (*client.OptimizerClient, func(), error) {
	ctx, cancel := context.WithCancel(context.Background())
	rc, done, err := sdk.ServeTest(ctx, sdk.WithOptimizers(o), sdk.WithLogger(hclog.NewNullLogger()))
	if err != nil {
		cancel()
		return nil, nil, err
	}
	pc := plugin.NewClient(&plugin.ClientConfig{HandshakeConfig: client.Handshake(), Plugins: client.Plugins(), Reattach: rc,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC}, GRPCDialOptions: client.DialOptions(), Logger: hclog.NewNullLogger()})
	stop := func() { pc.Kill(); cancel(); <-done }
	rpc, err := pc.Client()
	if err != nil {
		stop()
		return nil, nil, err
	}
	_, oc, err := client.Dispense(rpc, "sdktest")
	if err != nil {
		stop()
		return nil, nil, err
	}
	return oc, stop, nil
}

// batchTimeout bounds one batch over the wire.
const batchTimeout = 2 * time.Minute

// evaluation answers a batch's asks on pb.
func evaluation(pb problem) client.Evaluation {
	dim := len(pb.start)
	return func(_ context.Context, pts []float64, grad bool) ([]float64, []float64, error) {
		n := len(pts) / dim
		losses := make([]float64, n)
		var grads []float64
		if grad {
			grads = make([]float64, n*dim)
		}
		for j := range n {
			x := pts[j*dim : (j+1)*dim]
			losses[j] = pb.loss(x)
			if grad {
				pb.grad(grads[j*dim:(j+1)*dim], x)
			}
		}
		return losses, grads, nil
	}
}

// optimizeBatch drives one batch of runs from starts over the wire for at
// most steps steps and returns each run's trace.
func optimizeBatch(oc *client.OptimizerClient, name string, p sdk.Params, pb problem, starts [][]float64, seed uint64, steps int) ([]trace, error) {
	dim := len(pb.start)
	var flat []float64
	for _, s := range starts {
		flat = append(flat, s...)
	}
	traces := make([]trace, len(starts))
	k := 0
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	err := oc.Optimize(ctx, client.Batch{Name: name, Params: p, Dim: dim, Starts: flat, Seed: seed, Eval: evaluation(pb),
		Step: func(it client.Iterates, _ client.Asks, _ client.Answer) bool {
			if k > 0 { // the first iterates are the starts
				for i := range traces {
					tr := &traces[i]
					if tr.done != 0 {
						continue
					}
					tr.x = append(tr.x, slices.Clone(it.X[i*dim:(i+1)*dim]))
					tr.lr = append(tr.lr, it.LR[i])
					best, a, temp := it.X, sdk.AcceptNone, math.NaN()
					if it.Best != nil {
						best = it.Best
					}
					if it.Accept != nil {
						a, temp = it.Accept[i], it.Temperature[i]
					}
					tr.best = append(tr.best, slices.Clone(best[i*dim:(i+1)*dim]))
					tr.accept, tr.temp = append(tr.accept, a), append(tr.temp, temp)
					if it.Done[i] {
						tr.done = k
					}
				}
			}
			k++
			return k <= steps
		}})
	return traces, err
}

// batchStarts are n starts around pb's: its own, then seeded perturbations.
func batchStarts(pb problem, n int, seed int64) [][]float64 {
	rng := newRand(seed)
	out := [][]float64{slices.Clone(pb.start)}
	for len(out) < n {
		x := slices.Clone(pb.start)
		for k := range x {
			x[k] += rng.Float64() - 0.5
		}
		out = append(out, x)
	}
	return out
}

// batchRuns is the size of the batches the batch check drives.
const batchRuns = 7

func checkBatch(r reporter, o sdk.Optimizer, c *config) {
	r.Helper()
	info := o.Info()
	name := optimizerName(o)
	if err := info.Validate(); err != nil {
		r.Errorf("%s: Info is invalid, batches not checked: %v", name, err)
		return
	}
	sab := &saboteur{Optimizer: o}
	var served sdk.Optimizer = sab
	if _, ok := o.(sdk.OptimizerWithTexts); ok {
		served = textSaboteur{sab}
	}
	oc, stop, err := serveOptimizer(served)
	if err != nil {
		r.Errorf("%s: cannot serve the optimizer in this process: %v", name, err)
		return
	}
	defer stop()
	// Runs 1, 3 and 5 of the second batch fail; the others must not mind.
	failing := map[int]sabotage{1: askPanics, 3: tellPanics, 5: badAnswer}
	for _, set := range optSettings(r, o, c) {
		for i, pb := range problems {
			starts := batchStarts(pb, batchRuns, c.seed+int64(i))
			clean := uint64(c.seed)<<16 + uint64(2*i)
			spoilt := clean + 1
			for k, how := range failing {
				sab.target(spoilt, k, how)
			}
			for _, seed := range []uint64{clean, spoilt} {
				where := fmt.Sprintf("%s: on %s, a batch of %d runs with seed %d", set.label, pb.name, len(starts), seed)
				if seed == spoilt {
					where += fmt.Sprintf(" (runs 1, 3 and 5 made to fail: %v, %v, %v)", askPanics, tellPanics, badAnswer)
				}
				got, err := optimizeBatch(oc, info.Name, set.full, pb, starts, seed, c.steps)
				if err != nil {
					r.Errorf("%s: %v", where, err)
					continue
				}
				for j, x0 := range starts {
					if how := failing[j]; how != 0 && seed == spoilt {
						if how != badAnswer && (len(got[j].x) == 0 || !allNaN(got[j].x[len(got[j].x)-1])) {
							r.Errorf("%s: run %d, made to fail with %v, was not reported failed (NaN): %v", where, j, how, got[j].x)
						}
						continue
					}
					alone, err := runOnce(o, set.full, pb, x0, seeds.Mix(seed, j), c.steps, hooks{})
					if err != nil {
						r.Errorf("%s: run %d from %v driven alone: %v", where, j, x0, err)
						continue
					}
					if d := diffTraces(alone, got[j]); d != "" {
						r.Errorf("%s: run %d from %v differs from the same run driven alone at %s (alone first); runs must share no state", where, j, x0, d)
					}
				}
			}
		}
	}
}

// ---- malformed answers over the wire ----

// checkMalformedWire sends answers of the wrong size through the SDK's
// batching: each must end the batch with an error, no step may be taken
// from it, and the plugin must go on serving.
func checkMalformedWire(r reporter, o sdk.Optimizer, info sdk.OptimizerInfo, name string) {
	r.Helper()
	oc, stop, err := serveOptimizer(o)
	if err != nil {
		r.Errorf("%s: cannot serve the optimizer in this process: %v", name, err)
		return
	}
	defer stop()
	pb := problems[0]
	starts := batchStarts(pb, 3, 1)
	var flat []float64
	for _, s := range starts {
		flat = append(flat, s...)
	}
	type spoil func(losses, grads []float64) ([]float64, []float64)
	cases := []struct {
		what  string
		grad  bool // only when the batch asks for gradients
		spoil spoil
	}{
		{"a loss too few", false, func(l, g []float64) ([]float64, []float64) { return l[:len(l)-1], g }},
		{"a loss too many", false, func(l, g []float64) ([]float64, []float64) { return append(l, 1), g }},
		{"no losses", false, func(l, g []float64) ([]float64, []float64) { return nil, g }},
		{"a gradient value too few", true, func(l, g []float64) ([]float64, []float64) { return l, g[:len(g)-1] }},
		{"a gradient value too many", true, func(l, g []float64) ([]float64, []float64) { return l, append(g, 1) }},
		{"no gradients", true, func(l, g []float64) ([]float64, []float64) { return l, nil }},
	}
	for _, tc := range cases {
		steps, spoilt := 0, false
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		err := oc.Optimize(ctx, client.Batch{Name: info.Name, Dim: len(pb.start), Starts: flat, Seed: 1,
			Eval: func(ctx context.Context, pts []float64, grad bool) ([]float64, []float64, error) {
				l, g, err := evaluation(pb)(ctx, pts, grad)
				if steps == 0 && (grad || !tc.grad) {
					l, g = tc.spoil(l, g)
					spoilt = true
				}
				return l, g, err
			},
			Step: func(client.Iterates, client.Asks, client.Answer) bool {
				steps++
				return steps < 3
			}})
		cancel()
		switch {
		case !spoilt:
			// The batch never asked for what this case spoils.
		case err == nil:
			r.Errorf("%s: over the wire, an answer with %s was taken without an error", name, tc.what)
		case steps > 1:
			r.Errorf("%s: over the wire, an answer with %s gave a step before the error %v", name, tc.what, err)
		}
	}
	// The plugin is still serving.
	if _, err := optimizeBatch(oc, info.Name, nil, pb, starts, 1, 2); err != nil {
		r.Errorf("%s: after malformed answers, a good batch failed: %v", name, err)
	}
}
