package formula

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/landscape-go/landscape/sdk"
)

// FuzzCompile: Compile never panics; it refuses with sdk.ErrBadParams (and
// a column inside the formula, or just past its end) or gives a surface
// whose Loss is the parser's tree evaluated directly, bit for bit, and
// whose Grad agrees with dual numbers, at points around the origin.
func FuzzCompile(f *testing.F) {
	for _, c := range formulas {
		f.Add(c.f, c.vars)
	}
	for _, s := range []string{
		"x^y^z", "-x^2", "2^-x", "x**-2**y", "max(x,y,z,1)", "min(x)", "sin(", "((x)", "x+*y",
		"atan2(y,x)/pi", "0*log(x)", "x/0", "e^x - exp(x)", "abs(x)^0.5", "1e400*x", "x^1e20",
		"sinn(x)", "x % y", "x.y", "x[0]", "x ? y : 1", "let a = 1; a", "map(x, 1)", "x | sin()",
		"-(-(-x))", "x*1*(-1)/(-1)", "(-x)*(-y)", "x^0 + y^1", "pow(x, 3) - x^3", "θ^2",
	} {
		f.Add(s, "")
	}
	f.Add("a*b", "a b")
	f.Add("x", "x x")
	f.Add("q", "x")
	f.Fuzz(func(t *testing.T, src, vars string) {
		s, err := Compile(src, vars, "")
		if err != nil {
			if !errors.Is(err, sdk.ErrBadParams) {
				t.Fatalf("Compile(%q, %q): %v does not wrap sdk.ErrBadParams", src, vars, err)
			}
			var fe *Error
			if errors.As(err, &fe) && (fe.Column < 1 || fe.Column > utf8.RuneCountInString(src)+1) {
				t.Fatalf("Compile(%q): column %d outside the formula: %v", src, fe.Column, err)
			}
			return
		}
		if !strings.Contains(s.GLSL(), "float loss()") || !strings.Contains(s.GLSL(), "void grad(out float g[DIM])") {
			t.Fatalf("Compile(%q): GLSL\n%s", src, s.GLSL())
		}
		if len(s.names) > 6 {
			return // a long formula: the other tests cover many variables
		}
		checkReferences(t, s, src, 20, uint64(len(src)))
		n := len(s.names)
		h := make([]float64, n*n)
		x := make([]float64, n)
		for i := range x {
			x[i] = 0.5 + float64(i)
		}
		s.Hessian(h, x)
		for i := 0; i < n; i++ {
			for j := 0; j < i; j++ {
				if h[i*n+j] != h[j*n+i] && !(math.IsNaN(h[i*n+j]) && math.IsNaN(h[j*n+i])) {
					t.Fatalf("Compile(%q): Hessian not symmetric: %v", src, h)
				}
			}
		}
	})
}
