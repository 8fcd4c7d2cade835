package client

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/landscape-go/landscape/sdk"
	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// sleeper answers Loss after wait (or never, when wait is 0), and Activity
// with a count that grows by one per question when moving is set; without
// reports it does not answer Activity at all.
type sleeper struct {
	pb.UnimplementedSurfaceServiceServer
	wait    time.Duration
	moving  bool
	reports bool
	n       atomic.Uint64
}

func (s *sleeper) Loss(ctx context.Context, req *pb.PointsRequest) (*pb.LossResponse, error) {
	var after <-chan time.Time
	if s.wait > 0 {
		after = time.After(s.wait)
	}
	select {
	case <-after:
		return &pb.LossResponse{Values: make([]float64, len(req.Points)/int(req.Dim))}, nil
	case <-ctx.Done():
		return nil, status.FromContextError(ctx.Err()).Err()
	}
}

func (s *sleeper) Activity(context.Context, *pb.ActivityRequest) (*pb.ActivityResponse, error) {
	if !s.reports {
		return nil, status.Error(codes.Unimplemented, "no")
	}
	if s.moving {
		s.n.Add(1)
	}
	return &pb.ActivityResponse{Done: s.n.Load()}, nil
}

// TestWatchdog: a call whose plugin stops moving ends within about the
// stall limit, as hung, and OnHung runs; a slow call whose plugin keeps
// moving runs past the limit; a plugin that does not report its progress
// is given the stall limit for the whole call.
func TestWatchdog(t *testing.T) {
	const stall = 200 * time.Millisecond
	pts := Points{Ref: Ref{Name: "s"}, Dim: 2, Points: []float64{1, 2, 3, 4}}
	for _, c := range []struct {
		name string
		srv  *sleeper
		hung bool
		want string
	}{
		{"stuck", &sleeper{reports: true}, true, "plugin fake made no progress for 200ms while evaluating 2 points of surface s"},
		{"slow but moving", &sleeper{wait: 5 * stall, moving: true, reports: true}, false, ""},
		{"silent", &sleeper{wait: 5 * stall}, true, "does not report its progress"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := dial(t, c.srv)
			var hungs atomic.Int32
			cl.Limits = Limits{Stall: stall}
			cl.OnHung = func() { hungs.Add(1) }
			t0 := time.Now()
			_, err := cl.Loss(context.Background(), pts)
			took := time.Since(t0)
			if !c.hung {
				if err != nil || hungs.Load() != 0 {
					t.Fatalf("err %v after %v, %d hangs", err, took, hungs.Load())
				}
				return
			}
			if !errors.Is(err, ErrPluginHung) || !errors.Is(err, ErrPluginFailed) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want a hung plugin with %q", err, c.want)
			}
			if hungs.Load() != 1 {
				t.Errorf("OnHung ran %d times", hungs.Load())
			}
			if took < stall || took > 10*stall {
				t.Errorf("ended after %v with a stall limit of %v", took, stall)
			}
		})
	}
}

// TestWatchdogPausesForTheHost: an optimizer run whose host takes longer
// than the stall limit to evaluate is not the plugin's stall.
func TestWatchdogPausesForTheHost(t *testing.T) {
	_, c := connect(t, sdk.WithOptimizers(fakeGD{}))
	c.Limits = Limits{Stall: 100 * time.Millisecond}
	steps := 0
	err := c.Optimize(context.Background(), Batch{Name: "fake-gd", Dim: 2, Starts: []float64{1, 1},
		Eval: func(ctx context.Context, pts []float64, grad bool) ([]float64, []float64, error) {
			time.Sleep(300 * time.Millisecond)
			return bowl(ctx, pts, grad)
		},
		Step: func(Iterates, Asks, Answer) bool { steps++; return steps < 3 }})
	if err != nil || steps != 3 {
		t.Fatalf("err %v after %d steps", err, steps)
	}
}
