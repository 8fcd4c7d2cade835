package main

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk/client"
)

// Charts of optimize --plot for walks (simulated annealing, grid search),
// periodic parameters, and a data-driven model's fit.

// walkLoss are the loss series of a walk: the loss where it stands (the
// walk, noisy) and the best loss so far.
func walkLoss(t *host.Trajectory, steps, loss []float64) []render.Series {
	best := make([]float64, len(t.Records))
	for i, r := range t.Records {
		best[i] = r.BestLoss
	}
	return []render.Series{
		{Label: "loss where the walk stands", X: steps, Y: loss, Colour: 1},
		{Label: "best loss so far", X: steps, Y: best, Colour: 5},
	}
}

// acceptCharts are a run's temperature (log scale) and acceptance rate
// per step.
func acceptCharts(t *host.Trajectory, steps []float64) []render.Chart {
	temp := make([]float64, len(t.Records))
	rate := make([]float64, len(t.Records))
	for i, r := range t.Records {
		temp[i], rate[i] = r.Temperature, r.AcceptRate
	}
	tc := render.Chart{Title: "temperature", XLabel: "step", YLabel: "T", LogY: true,
		Series: []render.Series{{Label: "temperature", X: steps, Y: temp, Colour: 6}}}
	ac := render.Chart{Title: "acceptance", XLabel: "step", YLabel: "accepted fraction", YRange: &[2]float64{0, 1},
		Series: []render.Series{{Label: "acceptance rate so far", X: steps, Y: rate, Colour: 2}}}
	return []render.Chart{tc, ac}
}

// paramSeries are a run's parameters per step (the walk's, and the best
// point's dashed for a walk), periodic ones wrapped into their period with
// the line broken where it wraps round.
func paramSeries(d client.Descriptor, t *host.Trajectory, steps []float64) []render.Series {
	var out []render.Series
	walk := t.Walk()
	for k := 0; k < d.Dim; k++ {
		x := make([]float64, len(t.Records))
		b := make([]float64, len(t.Records))
		for i, r := range t.Records {
			x[i] = r.X[k]
			if walk {
				b[i] = r.Best[k]
			}
		}
		xs, ys := wrapped(d, k, steps, x)
		out = append(out, render.Series{Label: d.ParamName(k), X: xs, Y: ys, Colour: k})
		if walk {
			xs, ys = wrapped(d, k, steps, b)
			out = append(out, render.Series{Label: "best " + d.ParamName(k), X: xs, Y: ys, Colour: k, Dashed: true})
		}
	}
	return out
}

// wrapped is the series (steps, y) of parameter k with a periodic
// parameter wrapped into its period, and a NaN inserted where it jumps by
// more than half a period (so that the line breaks instead of crossing
// the chart).
func wrapped(d client.Descriptor, k int, steps, y []float64) ([]float64, []float64) {
	p := d.Period(k)
	if !(p > 0) {
		return steps, y
	}
	var xs, ys []float64
	for i, v := range y {
		w := d.WrapParam(k, v)
		if i > 0 && math.Abs(w-ys[len(ys)-1]) > p/2 {
			xs, ys = append(xs, steps[i]), append(ys, math.NaN())
		}
		xs, ys = append(xs, steps[i]), append(ys, w)
	}
	return xs, ys
}

// fitPoints is how many inputs the fitted model is drawn at.
const fitPoints = 401

// fitChart draws a data-driven surface's samples (training ones as discs,
// test ones as triangles) and its model's prediction at the parameters x over
// them: the fitted line of line-angle and linreg, the curve of an MLP.
// It is nil for surfaces whose samples are not points (x, y): more than
// one feature, a classification, or no samples or predictions at all.
func fitChart(ctx context.Context, app *host.App, s *host.Surface, x []float64) (*render.Chart, error) {
	if !s.Desc.HasDataset || !s.Desc.HasPredict {
		return nil, nil
	}
	smp, err := app.Samples(ctx, s)
	if err != nil {
		return nil, err
	}
	tr := smp.Train
	if len(tr.Columns) != 2 || tr.Classes != 0 {
		return nil, nil
	}
	c := render.Chart{Title: "the fit at the final point", XLabel: tr.Columns[0], YLabel: tr.Columns[1]}
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	add := func(label string, values []float64, colour int, triangles bool) {
		var xs, ys []float64
		for i := 0; i+1 < len(values); i += 2 {
			xs, ys = append(xs, values[i]), append(ys, values[i+1])
			xlo, xhi = math.Min(xlo, values[i]), math.Max(xhi, values[i])
			ylo, yhi = math.Min(ylo, values[i+1]), math.Max(yhi, values[i+1])
		}
		c.Series = append(c.Series, render.Series{Label: label, X: xs, Y: ys, Colour: colour, Points: true, Triangles: triangles})
	}
	add("training samples", tr.Values, 4, false)
	if smp.Test != nil {
		add("test samples", smp.Test.Values, 0, true)
	}
	if !(xlo < xhi) || !(ylo < yhi) {
		return nil, nil
	}
	in := make([]float64, fitPoints)
	for i := range in {
		in[i] = xlo + (xhi-xlo)*float64(i)/float64(fitPoints-1)
	}
	pred, err := s.Entry.Client.Predict(ctx, s.Ref, x, in, 1)
	if err != nil {
		return nil, err
	}
	c.Series = append(c.Series, render.Series{Label: "model at " + point(s.Desc.Wrap(nil, x)), X: in, Y: pred, Colour: 5})
	m := 0.1 * (yhi - ylo)
	c.YRange = &[2]float64{ylo - m, yhi + m}
	return &c, nil
}

// printWalk adds to a walk's summary (whose final point is its best
// point) where the walk itself ended, and for a method that tests
// proposals its acceptance rate and last temperature.
func printWalk(w io.Writer, d client.Descriptor, t *host.Trajectory) {
	if !t.Walk() || len(t.Records) == 0 {
		return
	}
	last := t.Records[len(t.Records)-1]
	fmt.Fprintf(w, "  the walk ended at loss %.6g at %s (the final point above is its best)\n", last.Loss, point(d.Wrap(nil, last.X)))
	if t.Tests() {
		fmt.Fprintf(w, "  acceptance rate %.3g, last temperature %.4g\n", last.AcceptRate, last.Temperature)
	}
}
