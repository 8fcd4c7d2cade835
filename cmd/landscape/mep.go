package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/spf13/cobra"
)

// mepFlags tune the band of path, render --mep and view --mep.
type mepFlags struct {
	images, maxIter int
	spring          float64
	noClimb         bool
}

func (f *mepFlags) register(c *cobra.Command, prefix string) {
	fl := c.Flags()
	f.images, f.maxIter = 15, 5000
	fl.Var(intRange{&f.images, 1, 10000}, prefix+"images", "movable images of the nudged elastic band")
	fl.Var(intRange{&f.maxIter, 1, 10_000_000}, prefix+"max-iter", "most iterations of the band")
	fl.Var(floatRange{&f.spring, true}, prefix+"spring", "spring constant (default: a tenth of the largest gradient on the straight line, per image spacing)")
	fl.BoolVar(&f.noClimb, prefix+"no-climb", false, "no climbing image (the band relaxes onto the path; the saddle is then the highest image)")
}

// spec is the band's settings for surf from a to b.
func (f *mepFlags) spec(surf *host.Surface, a, b host.Endpoint) host.MEPSpec {
	return host.MEPSpec{Surface: surf, From: a, To: b, Images: f.images, MaxIter: f.maxIter, Spring: f.spring, NoClimb: f.noClimb}
}

func pathCmd(app *host.App, stdout, stderr io.Writer) *cobra.Command {
	var (
		from, to      host.Endpoint
		fromOK, toOK  bool
		mf            mepFlags
		outs          []string
		width, height = 1000, 600
		set           client.Settings
	)
	c := &cobra.Command{
		Use:   "path SURFACE --from A --to B [-o profile.png] [-o profile.csv] [-o path.json]",
		Short: "Find the minimum-energy path between two points: its saddle and barriers",
		Long: `Find a minimum-energy path of SURFACE from A to B with the climbing-image
nudged elastic band (Henkelman, Uberuaga and Jónsson 2000), in the surface's
full parameter space: a chain of images between the fixed ends, each pulled
down across the chain by the surface and held apart along it by springs,
with the highest image climbing to the saddle. The transition state is then
refined by Newton's method on the gradient and checked to be a saddle of
index 1. Prints the transition state, the barrier from each side, and the
highest loss on the straight line for comparison.

A and B are points (x0,x1,...), a known minimum of the surface by its index
(min0, min1, ...; see 'landscape surfaces SURFACE'), or files (a trajectory
from 'landscape optimize -o', whose last point is taken, FILE@K for its
point K, or a .npy vector). Between two trained models (two optimize runs
from different starts) the path shows whether their minima are connected by
a low-loss path (mode connectivity).

Outputs (-o, repeatable): .png, the loss along the path beside the straight
line from A to B (slice --from --to's interpolation), against the fraction
of the way; .csv, the same profile (t,loss,line_loss[,test_loss,
line_test_loss]); .json, the band's images, their losses and the saddle.

Examples:
  landscape path himmelblau --from min0 --to min1 -o profile.png
  landscape path six-hump-camel --from 0.0898,-0.7126 --to -0.0898,0.7126
  landscape path mlp --set split=0.3 --from a.csv --to b.csv -o mode.png -o mode.csv`,
		Args: exactArgs(1, "one SURFACE (see 'landscape surfaces')"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !fromOK || !toOK {
				return usageError{fmt.Errorf("path needs --from A and --to B (points, minK, or files)")}
			}
			formats := make([]string, len(outs))
			for i, o := range outs {
				var err error
				if formats[i], err = host.OutputFormat(o, ".png", ".csv", ".json"); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			surf, err := configureSurface(ctx, app, args[0], set)
			if err != nil {
				return err
			}
			files, err := createOutputs(ctx, outs)
			defer abort(files)
			if err != nil {
				return err
			}
			spec := mf.spec(surf, from, to)
			m, err := app.MinimumPath(ctx, spec)
			if err != nil {
				return err
			}
			for i, f := range files {
				switch formats[i] {
				case ".png":
					err = render.ChartsPNG(f, width, height, profileChart(surf, m))
				case ".csv":
					err = writeProfileCSV(f, m)
				default:
					err = host.WriteJSON(f, host.NewMEPReport(surf, m))
				}
				if err != nil {
					return err
				}
			}
			if err := commitAll(files); err != nil {
				return err
			}
			printMEP(stdout, surf, m)
			return nil
		},
	}
	fl := c.Flags()
	fl.Var(endpointFlag{&from, &fromOK}, "from", "the path's start: x0,x1,..., minK (a known minimum) or a file")
	fl.Var(endpointFlag{&to, &toOK}, "to", "the path's end")
	mf.register(c, "")
	fl.Var(settingsFlag{&set}, "set", "hyperparameter name=value (repeat, or comma-separate)")
	fl.StringArrayVarP(&outs, "output", "o", nil, "output: .png profile, .csv profile, .json band (repeat)")
	fl.Var(intRange{&width, 200, 16384}, "width", "image width in pixels (.png)")
	fl.Var(intRange{&height, 150, 16384}, "height", "image height in pixels (.png)")
	return c
}

// configureSurface looks the surface up and configures it.
func configureSurface(ctx context.Context, app *host.App, name string, s client.Settings) (*host.Surface, error) {
	cat, err := app.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	e, err := cat.Lookup(name)
	if err != nil {
		return nil, err
	}
	return app.Configure(ctx, e, s)
}

// printMEP prints the path's summary.
func printMEP(w io.Writer, surf *host.Surface, m *host.MEP) {
	d := surf.Desc
	state := fmt.Sprintf("converged after %d iterations", m.Iter)
	if !m.Converged {
		state = fmt.Sprintf("not converged after %d iterations (largest image force %.3g)", m.Iter, m.MaxForce)
	}
	fmt.Fprintf(w, "minimum-energy path on %s from %s (loss %.6g) to %s (loss %.6g): %d images, length %.4g, %s\n",
		settingsTitle(d, surf.Settings()), short(m.From), m.Values[0], short(m.To), m.Values[len(m.Values)-1], len(m.Images), m.Length, state)
	for i, g := range []float64{m.GradNorms[0], m.GradNorms[len(m.GradNorms)-1]} {
		if g > 1e-3*(1+maxAbs(m.GradNorms)) {
			fmt.Fprintf(w, "  note: the %s is not a minimum (gradient norm %.3g); the barrier is measured from it as it is\n", []string{"start", "end"}[i], g)
		}
	}
	if m.Saddle == nil {
		fmt.Fprintf(w, "  no barrier: the loss along the path never rises above its higher end (the ends are connected)\n")
	} else {
		how := "the climbing image"
		switch {
		case m.Refined:
			how = "a saddle of index 1, refined by Newton's method from the climbing image"
		case m.Climber < 0:
			how = "the highest image"
		}
		fmt.Fprintf(w, "  transition state %s, loss %.8g: %s\n", short(m.Saddle), m.SaddleValue, how)
		fmt.Fprintf(w, "  barrier %.8g from the start, %.8g from the end\n", m.Barrier[0], m.Barrier[1])
	}
	hi, at := m.LineLoss[0], 0.0
	for i, v := range m.LineLoss {
		if v > hi {
			hi, at = v, m.Arc[i]
		}
	}
	fmt.Fprintf(w, "  the straight line's highest loss: %.8g at t=%.3g (%.4g above the higher end)\n", hi, at, hi-max(m.Values[0], m.Values[len(m.Values)-1]))
	fmt.Fprintf(w, "  gradient evaluations: %d; spring constant %.4g\n", m.Evaluations, m.Spring)
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, x, -x)
	}
	return m
}

// short writes a point, briefly for long ones.
func short(x []float64) string {
	if len(x) <= 6 {
		return point(x)
	}
	return point(x[:3]) + fmt.Sprintf("… (%d parameters)", len(x))
}

// profileChart is the loss along the path beside the straight line's.
func profileChart(surf *host.Surface, m *host.MEP) render.Chart {
	ch := render.Chart{Title: settingsTitle(surf.Desc, surf.Settings()) + ": minimum-energy path and straight line", XLabel: "fraction of the way from start to end", YLabel: "loss",
		Series: []render.Series{{Label: "minimum-energy path", X: m.Arc, Y: m.Loss, Colour: 4}, {Label: "straight line", X: m.Arc, Y: m.LineLoss, Dashed: true, Colour: 5}}}
	if m.TestLoss != nil {
		ch.Series[0].Label, ch.Series[1].Label = "path (train loss)", "line (train loss)"
		ch.Series = append(ch.Series, render.Series{Label: "path (test loss)", X: m.Arc, Y: m.TestLoss, Colour: 2}, render.Series{Label: "line (test loss)", X: m.Arc, Y: m.LineTest, Dashed: true, Colour: 6})
	}
	if m.Saddle != nil && m.Climber >= 0 {
		ch.Marks = []float64{m.Result.Arc[m.Climber]}
	}
	// A log scale when the losses span decades (a low-loss path beside a
	// high straight line).
	lo, hi := math.Inf(1), 0.0
	for _, s := range ch.Series {
		for _, v := range s.Y {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	ch.LogY = lo > 0 && hi/lo > 100
	return ch
}

// writeProfileCSV writes t,loss,line_loss[,test_loss,line_test_loss].
func writeProfileCSV(w io.Writer, m *host.MEP) error {
	bw := bufio.NewWriter(w)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	head := "t,loss,line_loss"
	if m.TestLoss != nil {
		head += ",test_loss,line_test_loss"
	}
	bw.WriteString(head + "\n")
	for i := range m.Arc {
		row := []string{f(m.Arc[i]), f(m.Loss[i]), f(m.LineLoss[i])}
		if m.TestLoss != nil {
			row = append(row, f(m.TestLoss[i]), f(m.LineTest[i]))
		}
		bw.WriteString(strings.Join(row, ",") + "\n")
	}
	return bw.Flush()
}

// mepPaths finds the --mep paths on the scene and draws them as paths,
// with their transition states as saddle markers.
func mepPaths(ctx context.Context, app *host.App, sc *host.Scene, meps [][2]host.Endpoint, mf mepFlags, w io.Writer) ([]render.Path, []render.Marker, error) {
	var paths []render.Path
	var marks []render.Marker
	for _, e := range meps {
		m, err := app.MinimumPath(ctx, mf.spec(sc.Surface, e[0], e[1]))
		if err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(w, "landscape: minimum-energy path from %s to %s:", e[0].Text, e[1].Text)
		if m.Saddle != nil {
			fmt.Fprintf(w, " saddle %s, loss %.6g, barriers %.6g and %.6g\n", short(m.Saddle), m.SaddleValue, m.Barrier[0], m.Barrier[1])
		} else {
			fmt.Fprintf(w, " no barrier\n")
		}
		pts := onPlane(sc, m.Points)
		paths = append(paths, render.Path{Label: "minimum-energy path " + e[0].Text + " to " + e[1].Text, Points: pts})
		if m.Saddle != nil {
			q := onPlane(sc, [][]float64{m.Saddle})
			marks = append(marks, render.Marker{X: q[0][0], Y: q[0][1], Style: render.CriticalSaddle})
		}
	}
	return paths, marks, nil
}

// onPlane is the points' coordinates on the scene's plane: the plane's
// own parameters for an axis plane, else least-squares coordinates.
func onPlane(sc *host.Scene, pts [][]float64) [][2]float64 {
	ai, aj := planeAxes(sc)
	if ai < 0 {
		g := sc.Grid
		q, _ := compute.Project(pts, g.Origin, g.U, g.V)
		return q
	}
	out := make([][2]float64, len(pts))
	for i, p := range pts {
		out[i] = [2]float64{p[ai], p[aj]}
	}
	return out
}

// createOutputs opens every output (see host.CreateOutput); on an error
// those opened so far are returned, for abort.
func createOutputs(ctx context.Context, paths []string) ([]*host.OutFile, error) {
	var files []*host.OutFile
	for _, p := range paths {
		f, err := host.CreateOutput(ctx, p)
		if err != nil {
			return files, err
		}
		files = append(files, f)
	}
	return files, nil
}

// commitAll commits the outputs, in order.
func commitAll(files []*host.OutFile) error {
	for _, f := range files {
		if err := f.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// abort removes the outputs that were not committed.
func abort(files []*host.OutFile) {
	for _, f := range files {
		f.Abort()
	}
}
