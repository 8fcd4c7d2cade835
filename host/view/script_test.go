package view

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseScript(t *testing.T) {
	got, err := ParseScript(strings.NewReader("# a tour\nzoom 2\n\npan 0.25 -0.1\nclick 100 200\nkey C\nframes 3\nscreenshot out.png\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Action{
		{Kind: "zoom", Args: []float64{2}, Line: 2},
		{Kind: "pan", Args: []float64{0.25, -0.1}, Line: 4},
		{Kind: "click", Args: []float64{100, 200}, Line: 5},
		{Kind: "key", Name: "c", Line: 6},
		{Kind: "frames", Args: []float64{3}, Line: 7},
		{Kind: "screenshot", Name: "out.png", Line: 8},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{"zoom", "zoom 0", "zoom -2", "zoom x", "pan 1", "frames 1.5", "frames -1", "key", "key f13", "screenshot", "fly 3", "zoom NaN", "pan 1e9 0", "resize 0 10", "resize 10.5 10", "resize 9000 10"} {
		if _, err := ParseScript(strings.NewReader(bad)); !errors.Is(err, ErrScript) || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzParseScript(f *testing.F) {
	for _, s := range []string{"zoom 2\npan 0.1 0.2", "key r", "frames 10\nscreenshot a.png", "#\n\n", "click 1 2 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		acts, err := ParseScript(strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, ErrScript) {
				t.Fatalf("error %v does not wrap ErrScript", err)
			}
			return
		}
		for _, a := range acts {
			if n, ok := actionArgs[a.Kind]; ok && len(a.Args) != n {
				t.Fatalf("%+v: %d args", a, len(a.Args))
			}
			if a.Kind == "zoom" && !(a.Args[0] > 0) {
				t.Fatalf("zoom %v accepted", a.Args[0])
			}
		}
	})
}
