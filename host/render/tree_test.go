package render

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestTreePNG(t *testing.T) {
	// Himmelblau's: four minima at 0 joined at 13.3, 67.7 and 104.
	nodes := []TreeNode{{Value: 0, Label: "a"}, {Value: 0, Label: "b"}, {Value: 0, Label: "c"}, {Value: 0, Label: "d"},
		{Value: 13.3, Children: []int{0, 1}}, {Value: 67.7, Children: []int{4, 2}}, {Value: 104, Children: []int{5, 3}}}
	var buf bytes.Buffer
	if err := TreePNG(&buf, nodes, []int{6}, TreeOptions{Width: 600, Height: 400, Title: "tree", YLabel: "loss"}); err != nil {
		t.Fatal(err)
	}
	img := decode(t, buf.Bytes())
	if b := img.Bounds(); b.Dx() != 600 || b.Dy() != 400 {
		t.Errorf("%v", b)
	}
	// The tree's lines are drawn in their colour.
	if d := nearest(img, rgba(treeLine)); d > 8 {
		t.Errorf("no tree lines (nearest colour %d away)", d)
	}
	// A forest of two trees.
	if err := TreePNG(&bytes.Buffer{}, nodes[:3], []int{0, 1, 2}, TreeOptions{}); err != nil {
		t.Errorf("three lone minima: %v", err)
	}
	for _, tc := range []struct {
		name  string
		nodes []TreeNode
		roots []int
		want  string
	}{
		{"empty", nil, nil, "at least one minimum"},
		{"child above", []TreeNode{{Value: 5}, {Value: 1, Children: []int{0}}}, []int{1}, "below its child"},
		{"two parents", []TreeNode{{Value: 0}, {Value: 1, Children: []int{0}}, {Value: 2, Children: []int{0}}}, []int{1, 2}, "bad child"},
		{"a root with a parent", []TreeNode{{Value: 0}, {Value: 1, Children: []int{0}}}, []int{0}, "not a root"},
		{"NaN", []TreeNode{{Value: math.NaN()}}, []int{0}, "value NaN"},
		{"bad child index", []TreeNode{{Value: 0, Children: []int{3}}}, []int{0}, "bad child"},
	} {
		var w countWriter
		err := TreePNG(&w, tc.nodes, tc.roots, TreeOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || w.n != 0 {
			t.Errorf("%s: %v (want %q), %d bytes written", tc.name, err, tc.want, w.n)
		}
	}
}

func TestCriticalMarkers(t *testing.T) {
	f := bowl()
	marks := []Marker{{X: -1, Y: 0.5, Style: CriticalMinimum}, {X: 1, Y: 0.5, Style: CriticalMaximum},
		{X: -1, Y: -0.5, Style: CriticalSaddle}, {X: 1, Y: -0.5, Style: CriticalDegenerate}, {X: 0, Y: 0, Style: CriticalSaddle}}
	img, fr, err := render(f, Options{Width: 700, Height: 500, Markers: marks})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range marks {
		x, y := fr.pixel(m.X, m.Y)
		if d := nearPixel(img, x, y, 1, criticalGlyphs[m.Style].fill); d > 6 {
			t.Errorf("no %s marker at (%v, %v)", criticalGlyphs[m.Style].name, m.X, m.Y)
		}
	}
	if fr.legend.Max.X <= fr.legend.Min.X {
		t.Fatal("no legend of the kinds")
	}
	items := markerLegend(marks)
	var labels []string
	for _, it := range items {
		labels = append(labels, it.label)
	}
	if got := strings.Join(labels, "; "); got != "1 minimum; 2 saddles; 1 maximum; 1 degenerate point" {
		t.Errorf("legend %q", got)
	}
	// Known minima alone add no legend.
	_, fr, _ = render(f, Options{Width: 700, Height: 500, Markers: []Marker{{X: 0, Y: 0}}})
	if fr.legend.Max.X > fr.legend.Min.X {
		t.Error("a legend for a known minimum's star")
	}
}
