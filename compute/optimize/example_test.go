package optimize_test

import (
	"context"
	"fmt"

	"github.com/landscape-go/landscape/compute/optimize"
)

// quadratic is x² + 10y², with its gradient.
type quadratic struct{}

func (quadratic) Dim() int { return 2 }

func (quadratic) Evaluate(_ context.Context, pts []float64, grad bool) (losses, grads []float64, err error) {
	for i := 0; i < len(pts); i += 2 {
		x, y := pts[i], pts[i+1]
		losses = append(losses, x*x+10*y*y)
		if grad {
			grads = append(grads, 2*x, 20*y)
		}
	}
	return losses, grads, nil
}

// descent is gradient descent with a fixed step: every run asks for the
// loss and gradient at its iterate and steps against the gradient.
type descent struct{ lr float64 }

func (descent) Global() bool { return false }

func (m descent) Run(ctx context.Context, b optimize.Batch, d optimize.Driver) error {
	n := len(b.Starts) / b.Dim
	it := optimize.Iterates{X: append([]float64(nil), b.Starts...), LR: make([]float64, n), Done: make([]bool, n)}
	counts := make([]int, n)
	for i := range n {
		it.LR[i], counts[i] = m.lr, 1
	}
	for {
		req := optimize.Request{Counts: counts, Points: it.X, Gradient: true}
		losses, grads, err := d.Evaluate(ctx, req.Points, true)
		if err != nil {
			return err
		}
		if !d.Step(ctx, it, req, optimize.Answer{Losses: losses, Grads: grads}) {
			return nil
		}
		next := make([]float64, len(it.X))
		for k := range next {
			next[k] = it.X[k] - m.lr*grads[k]
		}
		it.X = next
	}
}

// Two runs of gradient descent from different starts, judged by the
// default settings: converged once the loss is flat over 10 steps.
func Example() {
	starts := [][]float64{{1, 1}, {-2, 0.5}}
	res, err := optimize.Minimize(context.Background(), quadratic{}, starts, descent{lr: 0.04}, optimize.Settings{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		fmt.Printf("from %v: %v at step %d, loss %.2g, %d evaluations\n", r.Start, r.Status, r.ConvergedAt, r.Loss, r.Evaluations)
	}

	// A step limit of 50 stops them short.
	res, err = optimize.Minimize(context.Background(), quadratic{}, starts, descent{lr: 0.04}, optimize.Settings{MaxSteps: 50})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v after %d steps: loss %.2g, %d records\n", res[0].Status, res[0].Steps, res[0].Loss, len(res[0].Records))
	// Output:
	// from [1 1]: converged at step 134, loss 2e-10, 135 evaluations
	// from [-2 0.5]: converged at step 142, loss 2.1e-10, 143 evaluations
	// max steps after 50 steps: loss 0.00024, 51 records
}
