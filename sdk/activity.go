package sdk

import (
	"context"
	"sync/atomic"

	pb "github.com/landscape-go/landscape/sdk/internal/wire/landscapev1"
)

// activity counts the work a plugin process has finished: points of
// batches, rows of grids, chunks of data and optimizer steps. The host's
// watchdog reads it (the Activity call) to tell a slow plugin from a stuck
// one.
type activity struct{ done atomic.Uint64 }

// tallyEvery is how many evaluations a goroutine counts before it adds
// them to the shared counter: one atomic add per few evaluations keeps the
// count cheap for fast surfaces and fresh for slow ones.
const tallyEvery = 8

// tally counts one goroutine's finished evaluations into a.
type tally struct {
	a *activity
	n uint64
}

// one counts an evaluation.
func (t *tally) one() {
	if t.n++; t.n == tallyEvery {
		t.flush()
	}
}

// flush adds what is counted and not yet added.
func (t *tally) flush() {
	if t.a != nil && t.n > 0 {
		t.a.done.Add(t.n)
	}
	t.n = 0
}

func (s *server) Activity(context.Context, *pb.ActivityRequest) (*pb.ActivityResponse, error) {
	return &pb.ActivityResponse{Done: s.act.done.Load()}, nil
}
