package main

import (
	"context"
	"fmt"
	"io"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk/client"
)

// animateHelp says what --animate draws, for compare's and optimize's help.
var animateHelp = fmt.Sprintf(`--animate race.gif writes the runs as an animated GIF: the paths growing
over the contour plot, with their legend and a step counter; every step
when the runs are short, else %d frames at evenly spaced steps, 50 ms
apart, the last held 2 s.`, render.MaxFrames)

// openAnimation checks that path names a .gif and that surface d has a
// plane to draw on, and opens path for writing (nil for an empty path),
// so that a bad request fails before the work.
func openAnimation(ctx context.Context, path string, d client.Descriptor) (*host.OutFile, error) {
	if path == "" {
		return nil, nil
	}
	if _, err := host.OutputFormat(path, ".gif"); err != nil {
		return nil, err
	}
	if d.Dim < 2 {
		return nil, fmt.Errorf("%w: --animate draws on a plane; %s has %d parameter", host.ErrBadInput, d.Name, d.Dim)
	}
	return host.CreateOutput(ctx, path)
}

// writeAnimation draws o's paths over f into of (see render.AnimateGIF)
// and commits it.
func writeAnimation(of *host.OutFile, f *compute.Field, o render.Options) error {
	if err := render.AnimateGIF(of, f, o); err != nil {
		return err
	}
	return of.Commit()
}

// animateRun writes optimize's run t as an animation into of: for a
// surface of two parameters over its domain; for more, on the principal
// plane of the run (as --plane pca draws it), or, when the run spans no
// plane, on the plane of its first two parameters through its start (said
// on w).
func animateRun(ctx context.Context, app *host.App, w io.Writer, of *host.OutFile, surf *host.Surface, settings client.Settings, oe host.OptEntry, t *host.Trajectory) error {
	d := surf.Desc
	cat, err := app.Catalog(ctx)
	if err != nil {
		return err
	}
	spec := host.SceneSpec{Surface: d.Name, Settings: settings, Res: host.Res{Nx: 256, Ny: 256}, Plane: host.PlaneSpec{Kind: host.PlaneAxis, Axes: [2]int{0, 1}}}
	var sc *host.Scene
	if d.Dim > 2 {
		var pts [][]float64
		for _, r := range t.Records {
			if !finiteAll(r.X) {
				break
			}
			pts = append(pts, r.X)
		}
		pca := spec
		pca.Plane = host.PlaneSpec{Kind: host.PlanePCA, Trajectory: pts}
		if sc, err = app.ResolveScene(ctx, cat, pca); err != nil {
			fmt.Fprintf(w, "note: --animate: %s; drawn on the plane of x0 and x1 through the start instead\n", host.UserMessage(err))
			spec.Plane.At = t.Records[0].X
		}
	}
	if sc == nil {
		if sc, err = app.ResolveScene(ctx, cat, spec); err != nil {
			return err
		}
	}
	f, _, err := app.Evaluate(ctx, host.BackendAuto, sc, compute.Options{})
	if err != nil {
		return err
	}
	paths := projected(sc, []host.PathResult{{Opt: oe, Traj: t}}, func(r host.PathResult) string { return r.Opt.Name })
	o := render.Options{Title: title(sc) + ": " + oe.Name, Markers: markers(sc), Paths: paths}
	return writeAnimation(of, f, o)
}

func finiteAll(x []float64) bool {
	for _, v := range x {
		if v-v != 0 {
			return false
		}
	}
	return true
}
