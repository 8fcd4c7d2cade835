package optimize

import (
	"fmt"
	"math"
)

// Epochs of mini-batch runs. A run whose step t takes the gradient of
// mini-batch t of a seeded epoch shuffle (as torch's DataLoader with
// shuffle=True and drop_last=False deals them) has B = len(sizes) steps
// per epoch: epoch e (1, 2, ...) is steps (e−1)·B+1 ... e·B, whose
// gradients were taken at the records (e−1)·B ... e·B−1, each of them
// holding its batch's loss; the record at step e·B holds the parameters
// after the epoch.

// Epoch is one complete epoch of a mini-batch run.
type Epoch struct {
	// Epoch counts from 1.
	Epoch int
	// Step is the step that ended it (Epoch·B): its record holds the
	// parameters after the epoch.
	Step int
	// Loss is the epoch's mean training loss: the mean of its batches'
	// losses weighted by their sizes, the mean over the samples of the
	// loss each had when its batch was taken (PyTorch's running loss,
	// Σ loss·batch size / samples).
	Loss float64
}

// Epochs are the complete epochs of a run whose records are recs (one a
// step, the start first) and whose epochs deal batches of sizes (in the
// order of an epoch's steps). A partial last epoch is left out.
func Epochs(recs []Record, sizes []int) ([]Epoch, error) {
	b, total, err := epochShape(sizes)
	if err != nil {
		return nil, err
	}
	var out []Epoch
	for e := 1; e*b < len(recs); e++ {
		out = append(out, Epoch{Epoch: e, Step: recs[e*b].Step, Loss: epochMean(recs[(e-1)*b:e*b], sizes, total)})
	}
	return out, nil
}

// epochShape checks an epoch's batch sizes and returns their count and
// sum.
func epochShape(sizes []int) (int, int, error) {
	total := 0
	for _, s := range sizes {
		if s < 1 {
			return 0, 0, fmt.Errorf("%w: a batch of %d samples", ErrInvalid, s)
		}
		total += s
	}
	if len(sizes) == 0 {
		return 0, 0, fmt.Errorf("%w: an epoch of no batches", ErrInvalid)
	}
	return len(sizes), total, nil
}

// epochMean is the size-weighted mean of the losses of one epoch's
// records (len(sizes) of them).
func epochMean(recs []Record, sizes []int, total int) float64 {
	s := 0.0
	for i, r := range recs {
		s += r.Loss * float64(sizes[i])
	}
	return s / float64(total)
}

var _ Converger = EpochConverge{}

// EpochConverge judges a mini-batch run by its epochs' mean losses (see
// Epochs): converged at the end of epoch e when the mean changed by at most
// Tol·(1+|mean|) from epoch e−Window to epoch e. It judges a run only at
// the end of an epoch, so the step a run converged at is an epoch's last.
// Zero (or less) Tol and Window mean 1e-9 and 10. Sizes are the sizes of
// an epoch's batches, in order; an EpochConverge without them never
// judges a run converged.
type EpochConverge struct {
	Tol    float64
	Window int
	Sizes  []int
}

func (c EpochConverge) params() (float64, int) {
	return FunctionConverge{Tol: c.Tol, Window: c.Window}.params()
}

// Converged implements Converger.
func (c EpochConverge) Converged(recs []Record) bool {
	b, total, err := epochShape(c.Sizes)
	if err != nil {
		return false
	}
	tol, w := c.params()
	n := len(recs)
	if (n-1)%b != 0 {
		return false
	}
	e := (n - 1) / b
	if e <= w {
		return false
	}
	last := epochMean(recs[(e-1)*b:e*b], c.Sizes, total)
	then := epochMean(recs[(e-1-w)*b:(e-w)*b], c.Sizes, total)
	return math.Abs(last-then) <= tol*(1+math.Abs(last))
}

// Settled implements Converger: the step that ended the first epoch from
// which every epoch's mean stayed at the last one's as Tol tells them
// apart (0 when every epoch's did).
func (c EpochConverge) Settled(recs []Record) int {
	ep, err := Epochs(recs, c.Sizes)
	if err != nil || len(ep) == 0 {
		return 0
	}
	tol, _ := c.params()
	last := ep[len(ep)-1].Loss
	at := 0
	for i, e := range ep {
		if math.Abs(e.Loss-last) > tol*(1+math.Abs(last)) && i+1 < len(ep) {
			at = ep[i+1].Step
		}
	}
	return at
}
