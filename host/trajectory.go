package host

import (
	"bufio"
	"io"
	"math"
	"strconv"

	"github.com/landscape-go/landscape/compute/optimize"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// WriteTrajectoryCSV writes step,loss,grad_norm,x0,x1,... rows, with
// train_loss (mini-batch runs), test_loss (surfaces with a test set) and
// sharpness (tracked runs; NaN where not measured) after x when the run
// has them; then, for a walk (simulated annealing, a grid search: x is
// where it stands), best_loss,best_x0,best_x1,... (the best point so far),
// and for a method that tests proposals temperature,accepted,accept_rate
// (accepted 1 or 0; NaN where the step tested none).
func WriteTrajectoryCSV(w io.Writer, t *Trajectory) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("step,loss,grad_norm")
	for k := range t.Start {
		bw.WriteString(",x" + strconv.Itoa(k))
	}
	if t.Train != nil {
		bw.WriteString(",train_loss")
	}
	if t.Test != nil {
		bw.WriteString(",test_loss")
	}
	if t.Sharpness != nil {
		bw.WriteString(",sharpness")
	}
	walk, tests := t.Walk(), t.Tests()
	if walk {
		bw.WriteString(",best_loss")
		for k := range t.Start {
			bw.WriteString(",best_x" + strconv.Itoa(k))
		}
	}
	if tests {
		bw.WriteString(",temperature,accepted,accept_rate")
	}
	bw.WriteByte('\n')
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for i, r := range t.Records {
		bw.WriteString(strconv.Itoa(r.Step) + "," + f(r.Loss) + "," + f(r.GradNorm))
		for _, x := range r.X {
			bw.WriteString("," + f(x))
		}
		if t.Train != nil {
			bw.WriteString("," + f(t.Train[i]))
		}
		if t.Test != nil {
			bw.WriteString("," + f(t.Test[i]))
		}
		if t.Sharpness != nil {
			bw.WriteString("," + f(t.Sharpness[i]))
		}
		if walk {
			bw.WriteString("," + f(r.BestLoss))
			for _, x := range r.Best {
				bw.WriteString("," + f(x))
			}
		}
		if tests {
			bw.WriteString("," + f(r.Temperature) + "," + f(accepted(r.Accept)) + "," + f(r.AcceptRate))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// Walk reports whether the run's method walks apart from its best point
// (records hold Best: simulated annealing, a grid search).
func (t *Trajectory) Walk() bool {
	for _, r := range t.Records {
		if r.Best != nil {
			return true
		}
	}
	return false
}

// Tests reports whether the run's method tested proposals (records hold
// an acceptance: simulated annealing).
func (t *Trajectory) Tests() bool {
	for _, r := range t.Records {
		if r.Accept != optimize.AcceptNone {
			return true
		}
	}
	return false
}

// accepted is 1 for an accepted proposal, 0 for a rejected one, NaN where
// there was none.
func accepted(a optimize.Acceptance) float64 {
	switch a {
	case optimize.Accepted:
		return 1
	case optimize.Rejected:
		return 0
	}
	return math.NaN()
}

// TrajectoryReport is the JSON form of one run.
type TrajectoryReport struct {
	Surface         string             `json:"surface"`
	SurfaceParams   map[string]any     `json:"surface_hyperparameters"`
	Optimizer       string             `json:"optimizer"`
	OptimizerParams map[string]float64 `json:"optimizer_hyperparameters"`
	// OptimizerTexts are the optimizer's text hyperparameters given.
	OptimizerTexts map[string]string `json:"optimizer_texts,omitempty"`
	Seed           uint64            `json:"seed"`
	Start          []float64         `json:"start"`
	Status         optimize.Status   `json:"status"`
	Why            string            `json:"why,omitempty"`
	ConvergedAt    *int              `json:"converged_at"`
	Evaluations    int               `json:"evaluations"`
	NearestMinimum *NearestReport    `json:"nearest_minimum,omitempty"`
	Records        []jsonRecord      `json:"records"`
	// TrainLoss and TestLoss: see Trajectory's Train and Test.
	TrainLoss []*float64 `json:"train_loss,omitempty"`
	TestLoss  []*float64 `json:"test_loss,omitempty"`
	// Sharpness: see Trajectory's; null where it was not measured.
	Sharpness []*float64 `json:"sharpness,omitempty"`
	// StoppedAt classifies where a run that converged or stalled stopped
	// (see App.ClassifyStops).
	StoppedAt *Stop `json:"stopped_at,omitempty"`
	// FinalLoss is the run's final loss: a mini-batch run's full train
	// loss at its final point (its last mini-batch loss is LastBatchLoss).
	FinalLoss     *float64 `json:"final_loss"`
	LastBatchLoss *float64 `json:"last_batch_loss,omitempty"`
	// StepsPerEpoch, Epochs and ConvergedEpoch: a mini-batch run's (see
	// Trajectory).
	StepsPerEpoch  int           `json:"steps_per_epoch,omitempty"`
	Epochs         []EpochReport `json:"epochs,omitempty"`
	ConvergedEpoch *int          `json:"converged_epoch,omitempty"`
	// Stuck are the stretches where the run was stuck (see
	// Trajectory.Stuck).
	Stuck []StretchReport `json:"stuck,omitempty"`
}

// EpochReport is one epoch of a mini-batch run: its mean mini-batch loss,
// and the train and test losses after it (null where there are none).
type EpochReport struct {
	Epoch     int      `json:"epoch"`
	Step      int      `json:"step"`
	Loss      *float64 `json:"loss"`
	TrainLoss *float64 `json:"train_loss"`
	TestLoss  *float64 `json:"test_loss"`
}

// StretchReport is a stuck stretch: steps from and to, both included.
type StretchReport struct {
	From int  `json:"from"`
	To   int  `json:"to"`
	End  bool `json:"to_the_end"`
}

// NearestReport is the known minimum nearest the final point.
type NearestReport struct {
	Location []float64 `json:"location"`
	Loss     float64   `json:"loss"`
	Distance float64   `json:"distance"`
}

// jsonRecord writes NaN and ±Inf (diverged runs) as null.
type jsonRecord struct {
	Step      int        `json:"step"`
	X         []*float64 `json:"x"`
	Loss      *float64   `json:"loss"`
	GradNorm  *float64   `json:"grad_norm"`
	ParamNorm *float64   `json:"param_norm"`
	LR        float64    `json:"lr"`
	*jsonWalk
	*jsonTest
}

// jsonWalk is a walking run's best point so far (see Trajectory.Walk).
type jsonWalk struct {
	Best     []*float64 `json:"best"`
	BestLoss *float64   `json:"best_loss"`
}

// jsonTest is a step's acceptance test (see Trajectory.Tests): null where
// the step tested none.
type jsonTest struct {
	Temperature *float64 `json:"temperature"`
	Accepted    *bool    `json:"accepted"`
	AcceptRate  *float64 `json:"accept_rate"`
}

func finite(v float64) *float64 {
	if v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308 {
		return nil
	}
	return &v
}

func fullParams(decl []sdk.Hyperparameter, set sdk.Params) map[string]float64 {
	out := map[string]float64{}
	for _, h := range decl {
		out[h.Name] = h.Default
	}
	for k, v := range set {
		out[k] = v
	}
	return out
}

// NewTrajectoryReport describes a run for JSON (d is the surface as
// configured, so its defaults are the values used).
func NewTrajectoryReport(d client.Descriptor, o OptEntry, op sdk.Params, seed uint64, t *Trajectory) TrajectoryReport {
	r := TrajectoryReport{Surface: d.Name, SurfaceParams: ConfiguredJSON(d.Hyperparameters), Optimizer: o.Name,
		OptimizerParams: fullParams(o.Hyperparameters, op), Seed: seed, Start: t.Start, Status: t.Status, Why: t.Reason,
		Evaluations: t.Evaluations}
	if t.ConvergedAt >= 0 {
		c := t.ConvergedAt
		r.ConvergedAt = &c
	}
	if m, dist, ok := Nearest(d, t.X); ok && dist == dist {
		r.NearestMinimum = &NearestReport{Location: m.Location, Loss: m.Value, Distance: dist}
	}
	walk, tests := t.Walk(), t.Tests()
	for _, rec := range t.Records {
		j := jsonRecord{Step: rec.Step, X: finites(rec.X), Loss: finite(rec.Loss), GradNorm: finite(rec.GradNorm), ParamNorm: finite(rec.ParamNorm), LR: rec.LR}
		if walk {
			j.jsonWalk = &jsonWalk{Best: finites(rec.Best), BestLoss: finite(rec.BestLoss)}
		}
		if tests {
			j.jsonTest = &jsonTest{Temperature: finite(rec.Temperature), AcceptRate: finite(rec.AcceptRate)}
			if rec.Accept != optimize.AcceptNone {
				a := rec.Accept == optimize.Accepted
				j.Accepted = &a
			}
		}
		r.Records = append(r.Records, j)
	}
	for i := range t.Train {
		r.TrainLoss = append(r.TrainLoss, finite(t.Train[i]))
	}
	for i := range t.Test {
		r.TestLoss = append(r.TestLoss, finite(t.Test[i]))
	}
	for _, v := range t.Sharpness {
		r.Sharpness = append(r.Sharpness, finite(v))
	}
	r.FinalLoss, r.LastBatchLoss = finite(t.Loss), finite(t.BatchLoss)
	r.StepsPerEpoch = t.StepsPerEpoch
	for _, e := range t.Epochs {
		r.Epochs = append(r.Epochs, EpochReport{Epoch: e.Epoch.Epoch, Step: e.Step, Loss: finite(e.Loss), TrainLoss: finite(e.Train), TestLoss: finite(e.Test)})
	}
	if t.ConvergedEpoch >= 0 && t.StepsPerEpoch > 0 {
		c := t.ConvergedEpoch
		r.ConvergedEpoch = &c
	}
	for _, s := range t.Stuck {
		r.Stuck = append(r.Stuck, StretchReport{From: s.From, To: s.To, End: s.End})
	}
	return r
}
