package funcs

import "github.com/landscape-go/landscape/sdk"

// All returns every surface, in catalog order.
func All() []sdk.Surface {
	return []sdk.Surface{
		Ripple{},
		NewBowl(),
		Saddle{},
		NewRastrigin(),
		NewAckley(),
		NewRosenbrock(),
		Himmelblau{},
		Beale{},
		Booth{},
		GoldsteinPrice{},
		NewStyblinskiTang(),
		SixHumpCamel{},
		Eggholder{},
		Levi13{},
		Matyas{},
		McCormick{},
	}
}

// ByName returns the surface of that name from All.
func ByName(name string) (sdk.Surface, bool) {
	for _, s := range All() {
		if s.Info().Name == name {
			return s, true
		}
	}
	return nil, false
}

// square returns the domain [lo, hi]^n.
func square(n int, lo, hi float64) []sdk.Interval {
	d := make([]sdk.Interval, n)
	for i := range d {
		d[i] = sdk.Interval{Lo: lo, Hi: hi}
	}
	return d
}

// repeat returns n copies of v.
func repeat(n int, v float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = v
	}
	return x
}

// dimParam declares the dimension hyperparameter.
func dimParam(cur, lo float64) sdk.Hyperparameter {
	return sdk.Hyperparameter{
		Name:    "dim",
		Doc:     "number of parameters",
		Default: cur,
		Min:     lo,
		Max:     maxDim,
		Integer: true,
	}
}

// maxDim bounds the dim hyperparameter of the N-dimensional surfaces.
const maxDim = 1024

// sign is the sign of x, 0 at 0.
func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
