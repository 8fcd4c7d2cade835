package client

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/landscape-go/landscape/sdk"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// OptimizerClient is the host's handle on one plugin process's optimizers
// (go-plugin's Dispense(OptimizerKey)).
type OptimizerClient struct {
	*conn
	rpc pb.OptimizerServiceClient
}

// List describes the plugin's optimizers; a plugin built without them (or
// by an SDK that predates them) has none.
func (c *OptimizerClient) List(ctx context.Context) ([]sdk.OptimizerInfo, error) {
	r, err := c.list(ctx)
	if err != nil {
		return nil, err
	}
	return optimizerInfos(c.name(), r)
}

func (c *OptimizerClient) list(ctx context.Context) (r *pb.ListOptimizersResponse, err error) {
	err = c.watched(ctx, func() string { return "listing its optimizers" }, func(ctx context.Context, _ func()) error {
		r, err = c.rpc.ListOptimizers(ctx, &pb.ListOptimizersRequest{})
		return err
	})
	if status.Code(err) == codes.Unimplemented {
		return &pb.ListOptimizersResponse{}, nil
	}
	if err != nil {
		return nil, c.status(err)
	}
	return r, nil
}

// optimizerInfos checks and converts a listing of optimizers.
func optimizerInfos(plugin string, r *pb.ListOptimizersResponse) ([]sdk.OptimizerInfo, error) {
	if n := len(r.GetOptimizers()); n > maxListed {
		return nil, fmt.Errorf("%w: %s lists %d optimizers, more than %d", ErrPluginFailed, plugin, n, maxListed)
	}
	var out []sdk.OptimizerInfo
	for _, o := range r.GetOptimizers() {
		i := optInfoFromProto(o)
		if err := i.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrPluginFailed, plugin, err)
		}
		if len(i.Hyperparameters) > maxDeclared {
			return nil, fmt.Errorf("%w: %s: optimizer %s declares %d hyperparameters, more than %d", ErrPluginFailed, plugin, i.Name, len(i.Hyperparameters), maxDeclared)
		}
		out = append(out, i)
	}
	return out, nil
}

// Evaluation answers a batch request: losses at the points (n·dim values)
// and, when grad is true, their gradients (n·dim values).
type Evaluation func(ctx context.Context, points []float64, grad bool) (losses, grads []float64, err error)

// Iterates is the state of a batch after one step: runs·dim values of X,
// and per run the learning rate and whether it has finished. Best,
// Temperature and Accept are nil unless a run of the batch reported them
// (see sdk.Step): then Best holds runs·dim values (a run that reports no
// best point has its X there), Temperature and Accept one per run (NaN and
// sdk.AcceptNone for a run that tested no proposal).
type Iterates struct {
	X           []float64
	LR          []float64
	Done        []bool
	Best        []float64
	Temperature []float64
	Accept      []sdk.Acceptance
}

// Asks is what a batch's runs asked for: Counts[i] points for run i
// (0 once it is done), then the points, dim values each, run by run.
type Asks struct {
	Counts   []int32
	Points   []float64
	Gradient bool
}

// Answer is the evaluation of an Asks.
type Answer struct {
	Losses, Grads []float64
}

// BatchStep tells the host about one step of a batch: the iterates, the
// runs' next request and its evaluation (so that the host can record the
// iterates from it when the runs asked for them). It returns false to stop.
type BatchStep func(it Iterates, asks Asks, ans Answer) bool

// Batch asks for a batch of runs of one optimizer.
type Batch struct {
	// Name, Params and Texts name the optimizer and its hyperparameters
	// (which the plugin validates: sdk.ErrBadParams); Texts are for an
	// sdk.OptimizerWithTexts.
	Name   string
	Params sdk.Params
	Texts  sdk.Texts
	// Starts holds len(Starts)/Dim start points, one per run; run i is
	// seeded from Seed and i.
	Dim    int
	Starts []float64
	Seed   uint64
	// Eval answers the runs' asks; Step sees every step (see BatchStep).
	Eval Evaluation
	Step BatchStep
}

// Optimize runs the batch: it receives the runs' iterates and next asks,
// answers them with Eval, and calls Step, until Step returns false, every
// run is done, or ctx ends. The first step's iterates are the starts.
func (c *OptimizerClient) Optimize(ctx context.Context, b Batch) error {
	name, params, dim, starts, seed, eval, step := b.Name, b.Params, b.Dim, b.Starts, b.Seed, b.Eval, b.Step
	if dim < 1 || len(starts) == 0 || len(starts)%dim != 0 {
		return fmt.Errorf("%w: %d start values do not make points of dimension %d", sdk.ErrBadRequest, len(starts), dim)
	}
	n := len(starts) / dim
	maxAsk := c.Limits.orDefault().maxAsk(n)
	// The watchdog watches the plugin, not the host: it pauses while the
	// host evaluates the runs' asks.
	ctx, w := c.watchCall(ctx)
	steps := 0
	what := func() string { return fmt.Sprintf("running optimizer %s (%d runs, step %d)", name, n, steps) }
	stream, err := c.rpc.Optimize(ctx)
	if err != nil {
		return c.status(w.end(err, what))
	}
	if err := stream.Send(&pb.OptimizeIn{Msg: &pb.OptimizeIn_Start{Start: &pb.OptimizeStart{
		Name: name, Params: params, Texts: b.Texts, Dim: int32(dim), Starts: starts, Seed: seed}}}); err != nil {
		return c.streamErr(w.end(stream.RecvMsg(new(pb.OptimizeOut)), what), err)
	}
	it := Iterates{X: append([]float64(nil), starts...), LR: make([]float64, n), Done: make([]bool, n)}
	first := true
	for {
		out, err := stream.Recv()
		if err != nil {
			return c.streamErr(w.end(err, what), nil)
		}
		w.pause()
		if !first {
			if it, err = c.iterates(out, n, dim); err != nil {
				w.end(nil, what)
				return err
			}
		}
		first = false
		req := Asks{Counts: out.GetCounts(), Points: out.GetPoints(), Gradient: out.GetNeedGradient()}
		total, err := req.check(c.name(), n, dim, maxAsk)
		if err != nil {
			w.end(nil, what)
			return err
		}
		var ans Answer
		if total > 0 {
			if ans.Losses, ans.Grads, err = eval(ctx, req.Points, req.Gradient); err != nil {
				w.end(nil, what)
				return err
			}
		}
		if !step(it, req, ans) || total == 0 {
			w.end(nil, what)
			stream.CloseSend()
			return nil
		}
		steps++
		w.resume()
		if err := stream.Send(&pb.OptimizeIn{Msg: &pb.OptimizeIn_Answer{Answer: &pb.OptimizeAnswer{Losses: ans.Losses, Grads: ans.Grads}}}); err != nil {
			return c.streamErr(w.end(stream.RecvMsg(new(pb.OptimizeOut)), what), err)
		}
	}
}

// iterates reads and checks the runs' state from a message after an answer.
func (c *OptimizerClient) iterates(out *pb.OptimizeOut, n, dim int) (Iterates, error) {
	if len(out.GetX()) != n*dim || len(out.GetLr()) != n || len(out.GetDone()) != n {
		return Iterates{}, fmt.Errorf("%w: %s sent %d iterate values for %d runs of dimension %d", ErrPluginFailed, c.name(), len(out.GetX()), n, dim)
	}
	it := Iterates{X: out.GetX(), LR: out.GetLr(), Done: out.GetDone()}
	if b := out.GetBest(); len(b) > 0 {
		if len(b) != n*dim {
			return Iterates{}, fmt.Errorf("%w: %s sent %d best values for %d runs of dimension %d", ErrPluginFailed, c.name(), len(b), n, dim)
		}
		it.Best = b
	}
	t, a := out.GetTemperature(), out.GetAccept()
	if len(t) > 0 || len(a) > 0 {
		if len(t) != n || len(a) != n {
			return Iterates{}, fmt.Errorf("%w: %s sent %d temperatures and %d acceptances for %d runs", ErrPluginFailed, c.name(), len(t), len(a), n)
		}
		it.Temperature, it.Accept = t, make([]sdk.Acceptance, n)
		for i, v := range a {
			switch v {
			case pb.Acceptance_ACCEPTANCE_NONE, pb.Acceptance_ACCEPTANCE_ACCEPTED, pb.Acceptance_ACCEPTANCE_REJECTED:
				it.Accept[i] = sdk.Acceptance(v)
			default:
				return Iterates{}, fmt.Errorf("%w: %s sent acceptance %d", ErrPluginFailed, c.name(), v)
			}
		}
	}
	return it, nil
}

// check checks the asks of a batch of n runs of dimension dim, and returns
// how many points they ask for: one count per run, none negative, dim
// values per point, at most maxAsk points.
func (a Asks) check(plugin string, n, dim, maxAsk int) (total int, err error) {
	if len(a.Counts) != n {
		return 0, fmt.Errorf("%w: %s asked for points in %d counts for %d runs", ErrPluginFailed, plugin, len(a.Counts), n)
	}
	var sum int64
	for i, k := range a.Counts {
		if k < 0 {
			return 0, fmt.Errorf("%w: %s asked for %d points for run %d", ErrPluginFailed, plugin, k, i)
		}
		sum += int64(k)
	}
	if sum > int64(maxAsk) {
		return 0, fmt.Errorf("%w: %s asked for %d points at once for %d runs, more than the %d a request may hold", ErrPluginFailed, plugin, sum, n, maxAsk)
	}
	if int64(len(a.Points)) != sum*int64(dim) {
		return 0, fmt.Errorf("%w: %s asked for %d values in %d counts for %d runs", ErrPluginFailed, plugin, len(a.Points), len(a.Counts), n)
	}
	return int(sum), nil
}

// streamErr explains a broken optimize stream, preferring the plugin's own
// status over the transport's.
func (c *OptimizerClient) streamErr(err, fallback error) error {
	if err == nil || errors.Is(err, io.EOF) {
		err = fallback
	}
	if err == nil {
		return fmt.Errorf("%w: %s ended the run early", ErrPluginFailed, c.name())
	}
	return c.status(err)
}

// status maps an optimizer call's gRPC error onto the sentinels.
func (c *OptimizerClient) status(err error) error {
	return fromStatus(c.name(), err, ErrUnknownOptimizer)
}

// GLSL returns the optimizer's GPU step function for params, or "" when it
// has none (or the plugin predates the call).
func (c *OptimizerClient) GLSL(ctx context.Context, name string, params sdk.Params) (string, error) {
	var r *pb.GLSLSource
	err := c.watched(ctx, func() string { return "giving the GLSL of optimizer " + name }, func(ctx context.Context, _ func()) (err error) {
		r, err = c.rpc.OptimizerGLSL(ctx, &pb.OptimizerRef{Name: name, Params: params})
		return err
	})
	if status.Code(err) == codes.Unimplemented {
		return "", nil
	}
	if err != nil {
		return "", c.streamErr(err, nil)
	}
	if len(r.GetGlsl()) > maxGLSL {
		return "", fmt.Errorf("%w: %s: a GLSL step function of %d bytes, more than %d", ErrPluginFailed, c.name(), len(r.GetGlsl()), maxGLSL)
	}
	return r.GetGlsl(), nil
}
