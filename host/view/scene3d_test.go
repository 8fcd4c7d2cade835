package view

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

// TestProjectUnproject: a point projected and read back at its depth is
// the same point, for cameras all round and viewports wide and tall.
func TestProjectUnproject(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		cam := Camera{Yaw: rng.Float64()*2*math.Pi - math.Pi, Pitch: minPitch + rng.Float64()*(maxPitch-minPitch), Distance: minDistance + rng.Float64()*(maxDistance-minDistance)}
		aspect := 0.5 + 2*rng.Float64()
		p := vec3{rng.Float64() - 0.5, rng.Float64() - 0.5, rng.Float64() * meshHeight}
		ndc, ok := cam.project(p, aspect)
		if !ok {
			t.Fatalf("%v from %+v: behind the eye", p, cam)
		}
		q := cam.unproject(ndc[0], ndc[1], (ndc[2]+1)/2, aspect)
		if d := q.sub(p); math.Sqrt(d.dot(d)) > 1e-9 {
			t.Errorf("%+v aspect %.2f: %v came back as %v", cam, aspect, p, q)
		}
	}
	// The box's centre is straight ahead.
	ndc, _ := DefaultCamera().project(vec3{0, 0, meshHeight / 2}, 1.3)
	if math.Abs(ndc[0]) > 1e-12 || math.Abs(ndc[1]) > 1e-12 {
		t.Errorf("the box's centre lands at %v", ndc)
	}
}

// TestMeshZ: heights as the mesh shader places values, linear and log,
// clamped to the box.
func TestMeshZ(t *testing.T) {
	for _, c := range []struct {
		v, want float64
		log     bool
	}{
		{10, 0, false}, {30, meshHeight, false}, {20, meshHeight / 2, false},
		{0, 0, false}, {99, meshHeight, false},
		{10, 0, true}, {30, meshHeight, true},
		// log10(v − lo + ε) over [log10 ε, log10(span + ε)], ε = span·1e-6.
		{12, meshHeight * (math.Log10(2+20e-6) - math.Log10(20e-6)) / (math.Log10(20+20e-6) - math.Log10(20e-6)), true},
	} {
		if got := meshZ(c.v, 10, 30, c.log); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("meshZ(%v, 10, 30, log %v) = %v, want %v", c.v, c.log, got, c.want)
		}
	}
}

// TestWorldPath: a path lifted into the box: points over their places at
// their losses' heights, cut where it leaves the view (the height
// interpolated), ended by an undefined point; without losses, nothing.
func TestWorldPath(t *testing.T) {
	x, y := sdk.Interval{Lo: -2, Hi: 2}, sdk.Interval{Lo: 0, Hi: 4}
	pts := [][2]float64{{-2, 0}, {0, 2}, {4, 2}, {6, 2}, {0, 4}, {math.NaN(), 0}, {1, 1}}
	loss := []float64{10, 20, 30, 30, 10, 10, 10}
	got := worldPath(pts, loss, len(pts), x, y, 10, 30, false)
	h := meshHeight
	want := [][]vec3{
		// (-2, 0) → (0, 2) → cut at x = 2 (half way to 4: loss 25).
		{{-0.5, -0.5, 0}, {0, 0, h / 2}, {0.5, 0, 0.75 * h}},
		// (6, 2) → (0, 4) comes back in at x = 2, two thirds of the way
		// (loss 30 − 40/3), to the corner.
		{{0.5, 1.0 / 3, (30 - 40.0/3 - 10) / 20 * h}, {0, 0.5, 0}},
	}
	if len(got) != len(want) {
		t.Fatalf("pieces %v, want %v", got, want)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("piece %d: %v, want %v", i, got[i], want[i])
		}
		for k := range want[i] {
			if d := got[i][k].sub(want[i][k]); math.Sqrt(d.dot(d)) > 1e-12 {
				t.Errorf("piece %d point %d: %v, want %v", i, k, got[i][k], want[i][k])
			}
		}
	}
	if got := worldPath(pts, loss, 2, x, y, 10, 30, false); len(got) != 1 || len(got[0]) != 2 {
		t.Errorf("the first 2 points: %v", got)
	}
	if got := worldPath(pts, nil, len(pts), x, y, 10, 30, false); got != nil {
		t.Errorf("a path without losses: %v", got)
	}
	if got := worldPath(pts[:1], loss, 1, x, y, 10, 30, false); len(got) != 1 || len(got[0]) != 1 {
		t.Errorf("one point: %v", got)
	}
}

// TestAxes3D: from the default camera in a 640×480 window, the x and y
// axes are labelled with round values along the box's front edges, the
// loss axis up a side, each with its name; every label lands inside the
// window and outside the box's base as seen, tick marks start on the
// box's edges; the log scale labels round losses.
func TestAxes3D(t *testing.T) {
	r := viewport{64, 44, 472, 408, 480}
	cam := DefaultCamera()
	x, y := sdk.Interval{Lo: -5, Hi: 5}, sdk.Interval{Lo: -2, Hi: 2}
	a := makeAxes3D(cam, r, x, y, 0.001, 890, false, "x0", "x1", 16)
	var texts []string
	for _, l := range a.labels {
		texts = append(texts, l.text)
		if l.x < 0 || l.x > 640 || l.y < 0 || l.y > 480 {
			t.Errorf("label %q at (%.0f, %.0f) is off the window", l.text, l.x, l.y)
		}
	}
	for _, want := range []string{"-5", "0", "5", "-2", "2", "x0", "x1", "loss", "500"} {
		if !slices.Contains(texts, want) {
			t.Errorf("labels %q lack %q", texts, want)
		}
	}
	if len(a.ticks)%2 != 0 || len(a.ticks) < 10 {
		t.Fatalf("%d tick ends", len(a.ticks))
	}
	for k := 0; k < len(a.ticks); k += 2 {
		p := a.ticks[k]
		onEdge := (math.Abs(math.Abs(p[0])-0.5) < 1e-12 || math.Abs(math.Abs(p[1])-0.5) < 1e-12) && p[2] >= 0 && p[2] <= meshHeight+1e-12
		if !onEdge {
			t.Errorf("tick %d starts at %v, off the box's edges", k/2, p)
		}
	}
	// The x labels lie beyond the front edge: further from the base's
	// centre on screen than the edge's midpoint is.
	cx, cy, _ := r.pixel(cam, vec3{0, 0, 0})
	ex, ey, _ := r.pixel(cam, vec3{0, math.Copysign(0.5, cam.eye()[1]), 0})
	for _, l := range a.labels {
		if l.text == "x0" && math.Hypot(l.x-cx, l.y-cy) <= math.Hypot(ex-cx, ey-cy) {
			t.Errorf("the x axis name at (%.0f, %.0f) is inside the base (edge midpoint at (%.0f, %.0f))", l.x, l.y, ex, ey)
		}
	}
	logA := makeAxes3D(cam, r, x, y, 0.001, 890, true, "x0", "x1", 16)
	texts = texts[:0]
	for _, l := range logA.labels {
		texts = append(texts, l.text)
	}
	for _, want := range []string{"0.1", "10", "loss"} {
		if !slices.Contains(texts, want) {
			t.Errorf("log labels %q lack %q", texts, want)
		}
	}
}

// TestPick: the point a pixel and its depth pick is the surface's point
// drawn there, as fractions of the view; the background and points off
// the base pick nothing.
func TestPick(t *testing.T) {
	r := viewport{64, 44, 472, 408, 480}
	cam := DefaultCamera()
	for _, p := range []vec3{{0.1, -0.2, 0.3}, {-0.45, 0.4, 0.05}, {0.3, 0.3, 0.6}} {
		ndc, _ := cam.project(p, r.aspect())
		fx := float64(r.x) + (ndc[0]+1)/2*float64(r.w)
		fy := float64(r.y) + (ndc[1]+1)/2*float64(r.h)
		u, v, ok := pick(cam, r, fx, fy, (ndc[2]+1)/2)
		if !ok || math.Abs(u-(p[0]+0.5)) > 1e-9 || math.Abs(v-(p[1]+0.5)) > 1e-9 {
			t.Errorf("%v: picked (%v, %v) ok %v, want (%v, %v)", p, u, v, ok, p[0]+0.5, p[1]+0.5)
		}
	}
	if _, _, ok := pick(cam, r, 300, 200, 1); ok {
		t.Error("the background picked a point")
	}
	off := vec3{0.9, 0.9, 0.1}
	ndc, _ := cam.project(off, r.aspect())
	if _, _, ok := pick(cam, r, float64(r.x)+(ndc[0]+1)/2*float64(r.w), float64(r.y)+(ndc[1]+1)/2*float64(r.h), (ndc[2]+1)/2); ok {
		t.Error("a point off the base picked")
	}
}
