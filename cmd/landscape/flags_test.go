package main

import (
	"strings"
	"testing"

	"github.com/landscape-go/landscape/host"
)

// FuzzPathFlag: --path OPTIMIZER@x0,x1,...: a named optimizer and a finite
// start, or refused.
func FuzzPathFlag(f *testing.F) {
	for _, s := range []string{"adam@-1.5,2", "sgd@0", "@1,2", "adam@", "adam", "a@b@1", "adam@nan"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var runs []host.PathRun
		if err := (pathFlag{&runs}).Set(s); err != nil {
			if len(runs) != 0 {
				t.Fatalf("%q refused, yet added %v", s, runs)
			}
			return
		}
		if len(runs) != 1 || runs[0].Optimizer == "" || strings.Contains(runs[0].Optimizer, "@") || len(runs[0].Start) == 0 {
			t.Fatalf("%q accepted as %+v", s, runs)
		}
	})
}

// FuzzListFlags: comma-separated names (--optimizers, --surfaces), bench
// backends from a fixed set, bench resolutions: no empty names, only the
// set's words, valid resolutions.
func FuzzListFlags(f *testing.F) {
	for _, s := range []string{"adam,sgd", " a , b ", ",", "", "cpu,gl", "gpu", "512x512,1024", "1x1", "cpu,,gl"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var names []string
		if (listFlag{&names}).Set(s) == nil {
			for _, n := range names {
				if n == "" || strings.Contains(n, ",") || n != strings.TrimSpace(n) {
					t.Fatalf("listFlag(%q) = %q", s, names)
				}
			}
		}
		var backends []string
		if (choicesFlag{&backends, host.BenchBackends()}).Set(s) == nil {
			for _, b := range backends {
				if !strings.Contains(","+strings.Join(host.BenchBackends(), ",")+",", ","+b+",") {
					t.Fatalf("choicesFlag(%q) = %q", s, backends)
				}
			}
		}
		var res []host.Res
		if (resListFlag{&res}).Set(s) == nil {
			for _, r := range res {
				if r.Nx < 2 || r.Ny < 2 || r.Nx > host.MaxAxis || r.Ny > host.MaxAxis {
					t.Fatalf("resListFlag(%q) = %v", s, res)
				}
			}
		}
	})
}
