package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync/atomic"

	"github.com/landscape-go/landscape/sdk/internal/seeds"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc"
)

// optServer is the plugin side of OptimizerService.
type optServer struct {
	pb.UnimplementedOptimizerServiceServer
	byName map[string]Optimizer
	names  []string
	act    *activity
}

// newOptServer serves opts, counting the runs' steps into act.
func newOptServer(opts []Optimizer, act *activity) (*optServer, error) {
	byName, names, err := byNames("optimizer", opts, func(o Optimizer) (string, error) {
		i := o.Info()
		if err := i.Validate(); err != nil {
			return i.Name, err
		}
		if _, ok := o.(OptimizerWithTexts); !ok {
			for _, h := range i.Hyperparameters {
				if h.Text {
					return i.Name, fmt.Errorf("sdk: optimizer %s: hyperparameter %s is a text, and the optimizer has no StartTexts (see OptimizerWithTexts)", i.Name, h.Name)
				}
			}
		}
		return i.Name, nil
	})
	return &optServer{byName: byName, names: names, act: act}, err
}

func (s *optServer) ListOptimizers(context.Context, *pb.ListOptimizersRequest) (*pb.ListOptimizersResponse, error) {
	out := &pb.ListOptimizersResponse{}
	for _, n := range s.names {
		out.Optimizers = append(out.Optimizers, optInfoToProto(s.byName[n].Info()))
	}
	return out, nil
}

// batch is the plugin's side of one Optimize call: the runs and what each
// asked for last.
type batch struct {
	dim    int
	runs   []Run
	done   []bool
	asks   [][][]float64
	need   []Need
	x      []float64
	lr     []float64
	failed []bool
	// What runs report beyond X (see Step), sent when any run has:
	// best (a run without one has its x there), temperature, accept.
	best        []float64
	temperature []float64
	accept      []pb.Acceptance
	hasBest     atomic.Bool
	hasAccept   atomic.Bool
}

// forRuns calls f for every run index, in parallel for large batches.
func forRuns(n int, f func(i int)) {
	parallel(n, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f(i)
		}
	})
}

// safely runs f, turning a panic in an optimizer into a failed run.
func safely(f func()) (failed bool) {
	defer func() {
		if recover() != nil {
			failed = true
		}
	}()
	f()
	return false
}

// request asks every active run and builds the message.
func (b *batch) request(out *pb.OptimizeOut) {
	forRuns(len(b.runs), func(i int) {
		if b.done[i] {
			b.asks[i] = nil
			return
		}
		if safely(func() { b.asks[i], b.need[i] = b.runs[i].Ask() }) || len(b.asks[i]) == 0 {
			b.fail(i)
			return
		}
		for _, p := range b.asks[i] {
			if len(p) != b.dim {
				b.fail(i)
				return
			}
		}
	})
	out.Counts = make([]int32, len(b.runs))
	for i, a := range b.asks {
		out.Counts[i] = int32(len(a))
		for _, p := range a {
			out.Points = append(out.Points, p...)
		}
		if a != nil && b.need[i] == NeedGradient {
			out.NeedGradient = true
		}
	}
}

// fail marks run i finished with a NaN iterate (its failure is the host's
// to report; the other runs go on).
func (b *batch) fail(i int) {
	b.done[i], b.failed[i], b.asks[i] = true, true, nil
	for k := 0; k < b.dim; k++ {
		b.x[i*b.dim+k] = math.NaN()
		b.best[i*b.dim+k] = math.NaN()
	}
}

// tell hands the answer to the runs and fills the iterates.
func (b *batch) tell(a *pb.OptimizeAnswer, needGrad bool) error {
	total := 0
	offs := make([]int, len(b.runs))
	for i, q := range b.asks {
		offs[i] = total
		total += len(q)
	}
	if len(a.GetLosses()) != total || needGrad && len(a.GetGrads()) != total*b.dim {
		return fmt.Errorf("%w: answer holds %d losses and %d gradient values for %d points", ErrBadRequest, len(a.GetLosses()), len(a.GetGrads()), total)
	}
	forRuns(len(b.runs), func(i int) {
		q := b.asks[i]
		if q == nil {
			return
		}
		losses := a.GetLosses()[offs[i] : offs[i]+len(q)]
		var grads [][]float64
		if b.need[i] == NeedGradient && needGrad {
			grads = make([][]float64, len(q))
			for k := range q {
				o := (offs[i] + k) * b.dim
				grads[k] = a.GetGrads()[o : o+b.dim]
			}
		}
		var st Step
		if safely(func() { st = b.runs[i].Tell(losses, grads) }) || len(st.X) != b.dim {
			b.fail(i)
			return
		}
		copy(b.x[i*b.dim:], st.X)
		b.lr[i] = st.LR
		b.done[i] = st.Done
		if st.Best != nil && len(st.Best) == b.dim {
			copy(b.best[i*b.dim:], st.Best)
			b.hasBest.Store(true)
		} else {
			copy(b.best[i*b.dim:], st.X)
		}
		b.temperature[i], b.accept[i] = math.NaN(), pb.Acceptance_ACCEPTANCE_NONE
		switch st.Accept {
		case Accepted:
			b.temperature[i], b.accept[i] = st.Temperature, pb.Acceptance_ACCEPTANCE_ACCEPTED
			b.hasAccept.Store(true)
		case Rejected:
			b.temperature[i], b.accept[i] = st.Temperature, pb.Acceptance_ACCEPTANCE_REJECTED
			b.hasAccept.Store(true)
		}
	})
	return nil
}

// out is the message after an answer: the iterates, and what the runs
// reported beyond them when any did.
func (b *batch) out() *pb.OptimizeOut {
	out := &pb.OptimizeOut{X: b.x, Lr: b.lr, Done: b.done}
	if b.hasBest.Load() {
		out.Best = b.best
	}
	if b.hasAccept.Load() {
		out.Temperature, out.Accept = b.temperature, b.accept
	}
	return out
}

func (s *optServer) Optimize(stream grpc.BidiStreamingServer[pb.OptimizeIn, pb.OptimizeOut]) error {
	in, err := stream.Recv()
	if err != nil {
		return err
	}
	st := in.GetStart()
	if st == nil {
		return toStatus(fmt.Errorf("%w: the first message must be a start", ErrBadRequest))
	}
	o, ok := s.byName[st.GetName()]
	if !ok {
		return toStatus(fmt.Errorf("%w: %q (this plugin serves %s)", errUnknownOptimizer, st.GetName(), strings.Join(s.names, ", ")))
	}
	params, texts, err := ResolveTexts(o.Info().Hyperparameters, st.GetParams(), st.GetTexts())
	if err != nil {
		return toStatus(err)
	}
	ot, withTexts := o.(OptimizerWithTexts)
	dim := int(st.GetDim())
	if dim < 1 || len(st.GetStarts()) == 0 || len(st.GetStarts())%dim != 0 {
		return toStatus(fmt.Errorf("%w: %d start values do not make points of dimension %d", ErrBadRequest, len(st.GetStarts()), dim))
	}
	n := len(st.GetStarts()) / dim
	b := &batch{dim: dim, runs: make([]Run, n), done: make([]bool, n), asks: make([][][]float64, n),
		need: make([]Need, n), x: make([]float64, n*dim), lr: make([]float64, n), failed: make([]bool, n),
		best: make([]float64, n*dim), temperature: make([]float64, n), accept: make([]pb.Acceptance, n)}
	for i := range b.runs {
		x0 := st.GetStarts()[i*dim : (i+1)*dim]
		copy(b.x[i*dim:], x0)
		var r Run
		if withTexts {
			r, err = ot.StartTexts(params, texts, append([]float64(nil), x0...), seeds.Mix(st.GetSeed(), i))
		} else {
			r, err = o.Start(params, append([]float64(nil), x0...), seeds.Mix(st.GetSeed(), i))
		}
		if err != nil {
			if !errors.Is(err, ErrBadParams) && !errors.Is(err, ErrBadRequest) {
				err = fmt.Errorf("%w: %v", ErrBadParams, err)
			}
			return toStatus(err)
		}
		b.runs[i] = r
	}
	out := &pb.OptimizeOut{}
	b.request(out)
	if err := stream.Send(out); err != nil {
		return err
	}
	for {
		in, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		a := in.GetAnswer()
		if a == nil {
			return toStatus(fmt.Errorf("%w: expected an answer", ErrBadRequest))
		}
		if err := b.tell(a, out.GetNeedGradient()); err != nil {
			return toStatus(err)
		}
		s.act.done.Add(uint64(n))
		out = b.out()
		b.request(out)
		if err := stream.Send(out); err != nil {
			return err
		}
	}
}

func (s *optServer) OptimizerGLSL(_ context.Context, ref *pb.OptimizerRef) (*pb.GLSLSource, error) {
	o, ok := s.byName[ref.GetName()]
	if !ok {
		return nil, toStatus(fmt.Errorf("%w: %q", errUnknownOptimizer, ref.GetName()))
	}
	p, err := Resolve(o.Info().Hyperparameters, ref.GetParams())
	if err != nil {
		return nil, toStatus(err)
	}
	g, ok := o.(OptimizerWithGLSL)
	if !ok {
		return &pb.GLSLSource{}, nil
	}
	return &pb.GLSLSource{Glsl: g.GLSL(p)}, nil
}
