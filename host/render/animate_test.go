package render

import (
	"bytes"
	"image"
	"image/color"
	imgdraw "image/draw"
	"image/gif"
	"slices"
	"testing"
)

func TestFrameSteps(t *testing.T) {
	for _, c := range []struct {
		steps int
		want  []int // nil: check the long case's shape
	}{
		{0, []int{0}},
		{3, []int{0, 1, 2, 3}},
		{-1, []int{0}},
	} {
		if got := FrameSteps(c.steps); !slices.Equal(got, c.want) {
			t.Errorf("FrameSteps(%d) = %v, want %v", c.steps, got, c.want)
		}
	}
	if got := FrameSteps(MaxFrames - 1); len(got) != MaxFrames || got[MaxFrames-1] != MaxFrames-1 {
		t.Errorf("FrameSteps(%d): %d frames ending at %d", MaxFrames-1, len(got), got[len(got)-1])
	}
	long := FrameSteps(1000)
	if len(long) != MaxFrames || long[0] != 0 || long[len(long)-1] != 1000 {
		t.Fatalf("FrameSteps(1000): %d frames from %d to %d", len(long), long[0], long[len(long)-1])
	}
	for k := 1; k < len(long); k++ {
		// Evenly spaced: 1000/199 steps apart, rounded.
		if d := long[k] - long[k-1]; d < 5 || d > 6 {
			t.Errorf("frames %d and %d are %d steps apart", k-1, k, d)
		}
	}
}

// TestAnimate: a race of two paths over a bowl. One frame a step (with a
// step counter), every frame the image's size, transparent where nothing
// changed; drawn one over the other, the frames end as a picture of the
// whole paths, in their colours, at their midpoints; each frame shows at
// least as much of them as the one before, and an early one not yet the
// end of a path.
func TestAnimate(t *testing.T) {
	f := bowl() // x in [-2, 2], y in [-1, 1]
	line := func(x0, y0, x1, y1 float64, n int) [][2]float64 {
		var pts [][2]float64
		for k := 0; k <= n; k++ {
			s := float64(k) / float64(n)
			pts = append(pts, [2]float64{x0 + s*(x1-x0), y0 + s*(y1-y0)})
		}
		return pts
	}
	paths := []Path{
		{Label: "a", Points: line(-1.8, -0.8, 1.5, 0.6, 30)},
		{Label: "b", Points: line(-1.8, 0.8, 0, 0, 12)}, // stops early, stays whole
	}
	g, al, err := animate(f, Options{Width: 480, Height: 400, Title: "race", Paths: paths, Markers: []Marker{{X: 0, Y: 0}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != 31 || len(g.Delay) != 31 || g.Delay[0] != frameDelay || g.Delay[30] != lastDelay || g.LoopCount != 0 {
		t.Fatalf("%d frames, delays %v…%v, loop %d", len(g.Image), g.Delay[0], g.Delay[len(g.Delay)-1], g.LoopCount)
	}
	if g.Config.Width != 480 || g.Config.Height != 400 || g.Image[0].Bounds() != image.Rect(0, 0, 480, 400) {
		t.Fatalf("config %dx%d, first frame %v", g.Config.Width, g.Config.Height, g.Image[0].Bounds())
	}
	// Encoded and decoded, as a viewer reads it.
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	dec, err := gif.DecodeAll(&buf)
	if err != nil {
		t.Fatal(err)
	}
	canvas := image.NewRGBA(image.Rect(0, 0, 480, 400))
	data := dataPixels(al.frame)
	prev := -1
	for k, fr := range dec.Image {
		imgdraw.Draw(canvas, fr.Bounds(), fr, fr.Bounds().Min, imgdraw.Over)
		n := 0
		for i := range paths {
			n += countNear(canvas, data, dataPixels(frame{dpi: al.frame.dpi, height: al.frame.height, data: al.frame.legend}), PathColor(i), 14)
		}
		if n+3 < prev { // a head disc moving on may uncover a few pixels
			t.Errorf("frame %d shows %d pixels of the paths, frame %d %d", k, n, k-1, prev)
		}
		prev = max(prev, n)
		if k == 5 {
			// By step 5 path b is under half drawn: its end is not there.
			px, py := al.frame.pixel(0, 0)
			if d := nearPixel(canvas, px, py, 1, PathColor(1)); d <= 14 {
				t.Errorf("frame 5 already shows path b's end at (%.0f, %.0f)", px, py)
			}
		}
	}
	for i, p := range paths {
		m := p.Points[len(p.Points)/2]
		px, py := al.frame.pixel(m[0], m[1])
		if d := nearPixel(canvas, px, py, 1, PathColor(i)); d > 14 {
			t.Errorf("last frame: path %d's midpoint (%.0f, %.0f) is %d from its colour", i, px, py, d)
		}
	}
	if al.frame.legend == (al.frame.data) || al.frame.legend.Max.X == 0 {
		t.Errorf("no legend: %v", al.frame.legend)
	}
	if !slices.Equal(al.steps, FrameSteps(30)) {
		t.Errorf("frame steps %v", al.steps)
	}
	if _, _, err := animate(f, Options{}); err == nil {
		t.Error("an animation without paths")
	}
}

// TestMedianCut: a picture of few colours gets them exactly; the palette
// never has more than asked.
func TestMedianCut(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 30, 10))
	cols := []color.RGBA{{200, 10, 10, 255}, {10, 200, 10, 255}, {10, 10, 200, 255}}
	for x := 0; x < 30; x++ {
		for y := 0; y < 10; y++ {
			img.SetRGBA(x, y, cols[x/10])
		}
	}
	got := medianCut(img, 8)
	if len(got) != 3 {
		t.Fatalf("%d colours for 3: %v", len(got), got)
	}
	for _, c := range cols {
		if !slices.Contains(got, c) {
			t.Errorf("%v missing from %v", c, got)
		}
	}
	// A gradient of 1024 five-bit colours gets the 100 asked for.
	big := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for x := 0; x < 64; x++ {
		for y := 0; y < 64; y++ {
			big.SetRGBA(x, y, color.RGBA{uint8(4 * x), uint8(4 * y), 128, 255})
		}
	}
	if n := len(medianCut(big, 100)); n != 100 {
		t.Errorf("%d colours, want 100", n)
	}
}
