package optimize

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// records are one record a step with the given losses.
func records(loss []float64) []Record {
	out := make([]Record, len(loss))
	for i, l := range loss {
		out[i] = Record{Step: i, Loss: l}
	}
	return out
}

func TestEpochs(t *testing.T) {
	// Batches of 4, 4 and 2 samples (10 samples, size 4): the last is
	// short and weighs less.
	sizes := []int{4, 4, 2}
	loss := []float64{1, 2, 4, 0.5, 0.5, 1, 9}
	ep, err := Epochs(records(loss), sizes)
	if err != nil {
		t.Fatal(err)
	}
	want := []Epoch{{Epoch: 1, Step: 3, Loss: (4*1 + 4*2 + 2*4) / 10.0}, {Epoch: 2, Step: 6, Loss: (4*0.5 + 4*0.5 + 2*1) / 10.0}}
	if len(ep) != len(want) {
		t.Fatalf("epochs %+v, want %+v", ep, want)
	}
	for i := range want {
		if ep[i] != want[i] {
			t.Errorf("epoch %d: %+v, want %+v", i+1, ep[i], want[i])
		}
	}
	// A partial epoch is left out; no batches is an error.
	if ep, _ := Epochs(records(loss[:6]), sizes); len(ep) != 1 {
		t.Errorf("6 records of 3-step epochs: %d epochs, want 1", len(ep))
	}
	if _, err := Epochs(records(loss), nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("no sizes: %v, want ErrInvalid", err)
	}
	if _, err := Epochs(records(loss), []int{3, 0}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a batch of 0: %v, want ErrInvalid", err)
	}
}

func TestEpochConverge(t *testing.T) {
	c := EpochConverge{Tol: 1e-3, Window: 2, Sizes: []int{1, 1}}
	// Epoch means 4, 2, 1, 1, 1: within 1e-3 over two epochs at epoch 5.
	loss := []float64{5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}
	conv := -1
	for n := 1; n <= len(loss); n++ {
		if c.Converged(records(loss[:n])) {
			conv = n - 1
			break
		}
	}
	if conv != 10 {
		t.Errorf("converged at step %d, want 10 (the end of epoch 5)", conv)
	}
	// Off epoch ends it never judges.
	if c.Converged(records(loss[:10])) {
		t.Error("judged converged in the middle of an epoch")
	}
	if s := c.Settled(records(loss)); s != 6 {
		t.Errorf("settled at %d, want 6 (the end of epoch 3, the first at 1)", s)
	}
	if (EpochConverge{}).Converged(records(loss)) {
		t.Error("an EpochConverge without sizes judged a run converged")
	}
}

// variancePairs is the population variance by pairwise differences,
// 1/(2n²)·ΣΣ(xi−xj)²: a formula apart from flatWindow's.
func variancePairs(x []float64) float64 {
	s := 0.0
	for _, a := range x {
		for _, b := range x {
			s += (a - b) * (a - b)
		}
	}
	n := float64(len(x))
	return s / (2 * n * n)
}

func TestStuckRule(t *testing.T) {
	// Falls for 100 steps, sits at 2 (with noise of 1e-5) for 80, falls
	// again, then sits at 0.1 to the end.
	rng := rand.New(rand.NewPCG(1, 2))
	var loss []float64
	for i := 0; i < 100; i++ {
		loss = append(loss, 10-8*float64(i)/99)
	}
	for i := 0; i < 80; i++ {
		loss = append(loss, 2+1e-5*rng.NormFloat64())
	}
	for i := 0; i < 60; i++ {
		loss = append(loss, 2-1.9*float64(i+1)/60)
	}
	for i := 0; i < 70; i++ {
		loss = append(loss, 0.1)
	}
	steps := make([]int, len(loss))
	for i := range steps {
		steps[i] = i
	}
	r := StuckRule{Window: 20, Tol: 1e-4}
	got := r.Find(steps, loss)
	// Independently: each window's flatness by pairwise differences.
	var want []Stretch
	open := false
	for i := 19; i < len(loss); i++ {
		win := loss[i-19 : i+1]
		m := 0.0
		for _, v := range win {
			m += v
		}
		m /= 20
		lim := 1e-4 * (1 + math.Abs(m))
		if variancePairs(win) <= lim*lim {
			if open {
				want[len(want)-1].To = i
			} else {
				want = append(want, Stretch{From: i - 19, To: i})
				open = true
			}
		} else {
			open = false
		}
	}
	want[len(want)-1].End = open
	if len(got) != len(want) || len(got) != 2 {
		t.Fatalf("stretches %+v, want %+v (two)", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("stretch %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// The plateau began at step 100 (a window may reach back one step
	// into the fall by at most its share of the variance) and the tail
	// lasts to the end.
	if got[0].From < 99 || got[0].From > 101 || got[0].To != 179 || got[0].End {
		t.Errorf("plateau %+v, want about 100 to 179", got[0])
	}
	if got[1].From != 239 || got[1].To != len(loss)-1 || !got[1].End {
		t.Errorf("tail %+v, want 239 (where the fall reaches 0.1) to the end", got[1])
	}
	// NaN breaks flatness; a short run has no windows.
	loss[200] = math.NaN()
	if s := r.Find(steps, loss); len(s) != 2 {
		t.Errorf("a NaN outside the stretches changed them: %+v", s)
	}
	loss[150] = math.NaN()
	if s := r.Find(steps, loss); len(s) != 3 || s[0].To != 149 || s[1].From != 151 {
		t.Errorf("a NaN inside the plateau: %+v, want it split in two", s)
	}
	if s := r.Find(steps[:10], loss[:10]); s != nil {
		t.Errorf("10 records, window 20: %+v", s)
	}
	if w, tol := (StuckRule{}).Params(); w != 50 || tol != 1e-4 {
		t.Errorf("defaults %d, %g", w, tol)
	}
}
