package host

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"

	"github.com/landscape-go/landscape/sdk/client"
)

// An optimizer's runs live in its plugin (an Adam run's moments, a
// schedule's step, an annealing's generator): when that plugin crashes
// they are gone. The host can rebuild them without any help from the
// optimizer, because a run is a function of its start, its seed and the
// answers it was given: it keeps every answer of the batch (a replay
// log), and after a restart starts the same batch again and hands the
// runs the same answers, step by step, without evaluating the surface or
// showing the engine those steps again, until the runs stand where they
// were; then the batch goes on. Each replayed step's request is checked
// against the one first made (a hash of its points): an optimizer that
// does not repeat itself (one that is not deterministic for a seed) is
// reported, never trusted. The log is bounded (replayBudget); a batch
// whose log outgrows it cannot be recovered, and says so.

// replayBudget bounds the answers a batch's replay log keeps.
const replayBudget = 256 << 20

// ErrNoReplay: an optimizer's runs could not be rebuilt after its plugin
// crashed.
var ErrNoReplay = errors.New("host: optimizer runs cannot be replayed")

// replayLog is the answers of a batch, step by step.
type replayLog struct {
	steps []replayStep
	bytes int64
	full  bool // it outgrew replayBudget: the batch cannot be replayed
}

type replayStep struct {
	asks          uint64 // hash of the request
	losses, grads []float64
}

// askHash is a hash of a request: its points' bits and whether it asked
// for gradients.
func askHash(pts []float64, grad bool) uint64 {
	h := fnv.New64a()
	b := make([]byte, 8)
	for _, v := range pts {
		u := math.Float64bits(v)
		for i := range b {
			b[i] = byte(u >> (8 * i))
		}
		h.Write(b)
	}
	if grad {
		h.Write([]byte{1})
	}
	return h.Sum64()
}

func (l *replayLog) add(pts []float64, grad bool, losses, grads []float64) {
	if l.full {
		return
	}
	n := int64(8 * (len(losses) + len(grads) + 4))
	if l.bytes+n > replayBudget {
		l.full, l.steps = true, nil
		return
	}
	l.bytes += n
	l.steps = append(l.steps, replayStep{askHash(pts, grad), append([]float64(nil), losses...), append([]float64(nil), grads...)})
}

// runBatch runs a batch of an optimizer's runs (client.Batch's Eval and
// Step from the engine), restarting the optimizer's plugin when it
// crashes or hangs and replaying the batch to where it was (see above).
func (a *App) runBatch(ctx context.Context, o OptEntry, b client.Batch) error {
	if a == nil || a.mgr == nil || o.Plugin == "" {
		return o.Client.Optimize(ctx, b)
	}
	log := &replayLog{}
	eval, step := b.Eval, b.Step
	delivered := 0 // steps the engine has seen
	what := func() string {
		return fmt.Sprintf("running optimizer %s (%d runs, step %d)", o.Name, len(b.Starts)/max(b.Dim, 1), delivered)
	}
	err := a.onPluginCounted(ctx, o.Plugin, what, nil, func() int { return delivered }, nil, func(p *proc) error {
		if delivered > 0 && log.full {
			return fmt.Errorf("%w: optimizer %s: its answers for %d steps outgrew the %s the host keeps to replay them", ErrNoReplay, o.Name, delivered, FormatBytes(replayBudget))
		}
		k := 0 // this attempt's steps
		c := b
		c.Eval = func(ctx context.Context, pts []float64, grad bool) ([]float64, []float64, error) {
			if k < delivered {
				st := log.steps[k]
				if askHash(pts, grad) != st.asks {
					return nil, nil, fmt.Errorf("%w: optimizer %s asked for other points at step %d after its plugin restarted (it is not deterministic for a seed)", ErrNoReplay, o.Name, k)
				}
				return st.losses, st.grads, nil
			}
			l, g, err := eval(ctx, pts, grad)
			if err == nil {
				log.add(pts, grad, l, g)
			}
			return l, g, err
		}
		c.Step = func(it client.Iterates, req client.Asks, ans client.Answer) bool {
			if k++; k <= delivered {
				return true
			}
			delivered = k
			return step(it, req, ans)
		}
		err := p.oc.Optimize(ctx, c)
		if err == nil && k < delivered {
			return fmt.Errorf("%w: optimizer %s ended its runs at step %d after its plugin restarted, not %d", ErrNoReplay, o.Name, k, delivered)
		}
		return err
	})
	if errors.Is(err, errNoRestart) {
		return o.Client.Optimize(ctx, b)
	}
	return err
}
