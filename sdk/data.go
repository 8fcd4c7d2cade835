package sdk

import (
	"fmt"
	"strings"
)

// SurfaceWithData is a data-driven surface whose GLSL reads a data buffer:
// DATA(i) in the snippet is Data()[i] and NDATA is len(Data()). The layout
// is the surface's own (for a model, its samples one after another). The
// host uploads the buffer once per configuration; a buffer larger than the
// GPU allows is evaluated on the CPU instead, with a notice.
type SurfaceWithData interface {
	Surface
	Data() []float32
}

// SurfaceWithBatches is a data-driven surface that can evaluate its loss
// and gradient on a subset of its training samples (mini-batches for
// stochastic gradient methods). Loss and Grad remain the full-batch values.
//
// The host chooses the batches: each epoch a fresh seeded shuffle of the
// samples cut into batches of the size asked for, the last one shorter (as
// torch's DataLoader with shuffle=True, drop_last=False).
type SurfaceWithBatches interface {
	Surface
	// Samples is the number of training samples (> 0).
	Samples() int
	// BatchLoss is the loss at theta over the samples idx (each in
	// [0, Samples())), with any regularisation term added once.
	BatchLoss(theta []float64, idx []int) float64
	// BatchGrad writes the gradient of BatchLoss at theta into dst and
	// returns BatchLoss.
	BatchGrad(dst, theta []float64, idx []int) float64
}

// SurfaceWithTestSet is a data-driven surface with held-out test samples.
// TestSet returns the surface evaluated on them instead of the training
// samples, with the same model and settings (its Loss is the test loss),
// or nil when the test set is empty. The host draws test losses beside
// training ones (grids, curves, optimizer runs) with it.
type SurfaceWithTestSet interface {
	Surface
	TestSet() Surface
}

// SurfaceWithDataset is a data-driven surface that hands over its samples
// (`landscape data` exports them, plots draw them). Dataset returns the
// samples of the configured subset as the surface holds them; the host
// asks TestSet()'s surface for the test samples.
type SurfaceWithDataset interface {
	Surface
	Dataset() Dataset
}

// Dataset is a set of samples: one row of len(Columns) values per sample,
// row after row in Values. Columns names the values of a row: its
// features, then its target (the last column). Classes is the number of
// classes of a classification dataset, whose targets are class indices
// 0..Classes−1, and 0 for regression.
type Dataset struct {
	Columns []string
	Classes int
	Values  []float64
}

// Samples is the number of rows.
func (d Dataset) Samples() int {
	if len(d.Columns) == 0 {
		return 0
	}
	return len(d.Values) / len(d.Columns)
}

// Validate checks that the columns are named, uniquely, and that Values
// holds whole rows.
func (d Dataset) Validate() error {
	if len(d.Columns) < 2 {
		return fmt.Errorf("%w: a dataset of %d columns: want its features and a target", ErrBadRequest, len(d.Columns))
	}
	seen := map[string]bool{}
	for _, c := range d.Columns {
		if c == "" || seen[c] || strings.ContainsAny(c, ",\n\r\"") {
			return fmt.Errorf("%w: column name %q is empty, repeated or holds a comma, a quote or a line break", ErrBadRequest, c)
		}
		seen[c] = true
	}
	if len(d.Values)%len(d.Columns) != 0 {
		return fmt.Errorf("%w: %d values do not make rows of %d columns", ErrBadRequest, len(d.Values), len(d.Columns))
	}
	if d.Classes < 0 {
		return fmt.Errorf("%w: %d classes", ErrBadRequest, d.Classes)
	}
	return nil
}

// SurfaceWithPredict is a surface over a model of inputs: Predict writes
// into dst the model's prediction of the target at each of len(dst)
// inputs, at the parameters theta. inputs holds the inputs one after
// another, each of F values, F = len(inputs)/len(dst): the feature columns
// of the surface's Dataset; inputs of another size get NaN predictions. A
// regression model predicts the target's value (for line-angle, the height
// of its line at x; ±Inf for a vertical line off the origin). Plots draw
// the fitted model over the data with it.
type SurfaceWithPredict interface {
	Surface
	Predict(dst, theta, inputs []float64)
}
