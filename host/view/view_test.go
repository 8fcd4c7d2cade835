package view

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
	"github.com/landscape-go/landscape/sdk/grid"
)

// tunable is an in-test surface with one hyperparameter, k·x² + y².
type tunable struct{ k float64 }

func (s tunable) Info() sdk.Info {
	return sdk.Info{Name: "tunable", Summary: "test", Dim: 2, Domain: []sdk.Interval{{Lo: -1, Hi: 1}, {Lo: -1, Hi: 1}},
		Hyperparameters: []sdk.Hyperparameter{{Name: "k", Default: s.k, Min: 0.5, Max: 4}}}
}
func (s tunable) Loss(p []float64) float64 { return s.k*p[0]*p[0] + p[1]*p[1] }
func (tunable) GLSL() string               { return "float loss() { return k * P(0) * P(0) + P(1) * P(1); }" }

func describe(s tunable) client.Descriptor { return client.Descriptor{Info: s.Info(), GLSL: s.GLSL()} }

// TestStateKeys: keys change the state as documented, and a hyperparameter
// change asks Configure and says what it set; its refusal is shown and
// said.
func TestStateKeys(t *testing.T) {
	var out bytes.Buffer
	refuse := false
	o := Options{Desc: describe(tunable{k: 1}), Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -1, Hi: 1}, 2, 2), Out: &out,
		Configure: func(name string, p sdk.Params) (client.Descriptor, error) {
			if refuse {
				return client.Descriptor{}, errors.New("plugin gone")
			}
			return describe(tunable{k: p["k"]}), nil
		}}
	s := newState(o, 0)
	if s.levels != 12 || len(s.o.Surfaces) != 1 || !s.dirty {
		t.Fatalf("new state: levels %d, %d surfaces, dirty %v", s.levels, len(s.o.Surfaces), s.dirty)
	}
	s.dirty = false
	for _, k := range []Key{KeyColormap, KeyLog, KeyMoreLevels, KeyHyperparameter, KeyRaise} {
		s.key(k)
	}
	if s.cmap != 1 || !s.log || s.levels != 16 || s.hp != 0 || !s.dirty || s.o.Desc.Hyperparameters[0].Default != 1.1 {
		t.Errorf("after c, l, plus, h, period: %+v", s)
	}
	if !strings.Contains(out.String(), "landscape: view: tunable k=1.1\n") {
		t.Errorf("output %q does not say k=1.1", out.String())
	}
	refuse = true
	s.key(KeyLower)
	if s.note != "plugin gone" || !strings.Contains(out.String(), "landscape: view: plugin gone\n") || s.o.Desc.Hyperparameters[0].Default != 1.1 {
		t.Errorf("refused change: note %q, output %q, k %v", s.note, out.String(), s.o.Desc.Hyperparameters[0].Default)
	}
	s.pan(0.5, 0)
	s.key(KeyReset)
	if s.x != o.Plane.X {
		t.Errorf("after pan and r: x %v", s.x)
	}
	s.key(KeyQuit)
	if !s.quit {
		t.Error("q did not quit")
	}
}

// TestRun runs a short script in a hidden window (under Xvfb in CI) through
// view.Run, in a program that does not serve GL on its main thread (this
// test binary): zoom, a colormap, a hyperparameter change and screenshots.
func TestRun(t *testing.T) {
	if os.Getenv("DISPLAY") == "" && os.Getenv("LANDSCAPE_REQUIRE_GLFW") == "" {
		t.Skip("no display: make test runs this under xvfb-run")
	}
	dir := t.TempDir()
	script, err := ParseScript(strings.NewReader("frames 1\nzoom 2\nkey c\nkey period\nframes 1\nscreenshot " + filepath.Join(dir, "a.png") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	end := filepath.Join(dir, "end.png")
	res, err := Run(context.Background(), Options{
		Desc: describe(tunable{k: 1}), Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -1, Hi: 1}, 2, 2),
		Width: 320, Height: 240, Script: script, Screenshot: end, Hidden: true, Out: &out,
		Configure: func(_ string, p sdk.Params) (client.Descriptor, error) { return describe(tunable{k: p["k"]}), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.X != (sdk.Interval{Lo: -0.5, Hi: 0.5}) || len(res.EvalMS) != 2 || len(res.Screenshots) != 2 {
		t.Errorf("result %+v", res)
	}
	if !strings.Contains(out.String(), "tunable k=1.1") {
		t.Errorf("output %q", out.String())
	}
	for _, p := range res.Screenshots {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() != 320 || img.Bounds().Dy() != 240 {
			t.Errorf("%s: %v, %v", p, err, img.Bounds())
		}
	}
}

// TestStateCritical: K asks for the critical points of the view as it is,
// shows them until K again, and finds them again when the view changes;
// a failure is said, not fatal.
func TestStateCritical(t *testing.T) {
	var out bytes.Buffer
	var asked []grid.Plane
	fail := false
	o := Options{Desc: describe(tunable{k: 1}), Plane: grid.AxisPlane(2, 0, 1, nil, sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -1, Hi: 1}, 2, 2), Out: &out,
		Critical: func(_ client.Descriptor, p grid.Plane) ([]Mark, error) {
			asked = append(asked, p)
			if fail {
				return nil, errors.New("grid too coarse")
			}
			return []Mark{{X: 0, Y: 0, Style: render.CriticalSaddle}}, nil
		}}
	s := newState(o, 0)
	s.dirty = false
	s.key(KeyCritical)
	if !s.crit.on || len(s.crit.marks) != 1 || len(asked) != 1 || asked[0].X != s.x || asked[0].Nx != 128 {
		t.Fatalf("after k: %+v, asked %+v", s.crit, asked)
	}
	s.zoom(2, 0.5, 0.5, 100, 100)
	if asked[0].X == s.x {
		t.Fatal("zoom did not change the view")
	}
	fail = true
	s.findCritical() // as evaluate does after the view changed
	if s.crit.marks != nil || !strings.Contains(s.crit.err, "grid too coarse") || asked[1].X != s.x {
		t.Errorf("a failure: %+v", s.crit)
	}
	s.key(KeyCritical)
	if s.crit.on || len(asked) != 2 {
		t.Errorf("k again: %+v, %d asks", s.crit, len(asked))
	}
	s.o.Critical = nil
	s.dirty = false // evaluated
	s.key(KeyCritical)
	if s.crit.on || !strings.Contains(out.String(), "critical points: not available") {
		t.Errorf("without a finder: %+v, %q", s.crit, out.String())
	}
}
