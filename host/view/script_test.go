package view

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseScript(t *testing.T) {
	got, err := ParseScript(strings.NewReader("# a tour\nzoom 2\n\npan 0.25 -0.1\nclick 100 200\nkey C\nframes 3\nscreenshot out.png\nkey Escape\nresize 320 200\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Action{
		{Kind: ActZoom, Args: []float64{2}, Line: 2},
		{Kind: ActPan, Args: []float64{0.25, -0.1}, Line: 4},
		{Kind: ActClick, Args: []float64{100, 200}, Line: 5},
		{Kind: ActKey, Key: KeyColormap, Line: 6},
		{Kind: ActFrames, Args: []float64{3}, Line: 7},
		{Kind: ActScreenshot, Path: "out.png", Line: 8},
		{Kind: ActKey, Key: KeyQuit, Line: 9},
		{Kind: ActResize, Args: []float64{320, 200}, Line: 10},
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
			if _, ok := actionNames[a.Kind]; !ok || a.Kind == ActKey && a.Key == 0 {
				t.Fatalf("%+v: no action or key", a)
			}
			if a.Kind == ActZoom && !(a.Args[0] > 0) {
				t.Fatalf("zoom %v accepted", a.Args[0])
			}
		}
	})
}

// TestScriptMessages: the errors name the line and say what is accepted,
// word for word as the CLI's scripts expect.
func TestScriptMessages(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"zoom 2\nfly 3", `view: bad script: line 2 "fly 3": unknown action (actions: zoom FACTOR, pan DX DY, click X Y, key NAME, frames N, screenshot PATH, resize W H)`},
		{"key f13", `line 1 "key f13": unknown key (known: r, c, l, plus, minus, s, x, v, n, p, h, comma, period, q, escape, k)`},
		{"pan 1", `line 1 "pan 1": pan takes 2 numbers`},
		{"zoom x", `line 1 "zoom x": "x" is not a finite number`},
		{"frames 1.5", "frames takes a whole number from 0 to 1000000"},
		{"resize 0 10", "resize takes whole numbers of pixels from 1 to 8192"},
		{"screenshot", "screenshot takes one path"},
	} {
		_, err := ParseScript(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.in, err, c.want)
		}
	}
	for k, name := range actionNames {
		if k.String() != name {
			t.Errorf("%d: %q, want %q", k, k.String(), name)
		}
	}
	if KeyRaise.String() != "period" || KeyQuit.String() != "q" {
		t.Errorf("key names: %s %s", KeyRaise, KeyQuit)
	}
}
