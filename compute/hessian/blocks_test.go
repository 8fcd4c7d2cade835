package hessian

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/landscape-go/landscape/sdk"
)

func TestBlocks(t *testing.T) {
	ctx := context.Background()
	n := 150
	a, _ := withSpectrum(spread(n, []float64{30, 20}, []float64{-15}, -4, 8), 53)
	groups := []sdk.Group{
		{Name: "l1.w", Start: 0, Len: 10},
		{Name: "l1.b", Start: 10, Len: 100}, // larger than DenseMax: Lanczos and Hutch++
		{Name: "l2.w", Start: 110, Len: 40},
		{Name: "overlap", Start: 5, Len: 10},
	}
	op := &counting{Operator: Matrix(a)}
	bs, err := Blocks(ctx, op, groups, BlockSettings{Lanczos: LanczosSettings{Seed: 8}, Trace: TraceSettings{Seed: 3}})
	mustNoErr(t, err)
	if len(bs) != len(groups) {
		t.Fatalf("%d blocks", len(bs))
	}
	for i, b := range bs {
		g := groups[i]
		sub := a.SliceSym(g.Start, g.Start+g.Len)
		var eig mat.EigenSym
		if !eig.Factorize(sub, false) {
			t.Fatal("reference failed")
		}
		vals := eig.Values(nil)
		top, tr := vals[len(vals)-1], trace(sub)
		if b.Group != g || b.Exact != (g.Len <= DefaultDenseBlock) {
			t.Errorf("%s: group %+v exact %v", g.Name, b.Group, b.Exact)
		}
		if !relClose(b.Top.Value, top, 1e-10, 1) || len(b.Top.Vector) != g.Len {
			t.Errorf("%s: top %v, dense %v", g.Name, b.Top.Value, top)
		}
		if r := residual(sub, b.Top.Value, b.Top.Vector); !relClose(r, b.Top.Residual, 1e-3, 1e-12) || r > DefaultTol*math.Abs(top) || !b.Top.Converged {
			t.Errorf("%s: residual %g, converged %v", g.Name, r, b.Top.Converged)
		}
		if b.Exact {
			if !relClose(b.Trace.Value, tr, 1e-12, 1) || b.Trace.StdErr != 0 || b.Products != g.Len {
				t.Errorf("%s: exact trace %v, want %v (± %v), %d products", g.Name, b.Trace.Value, tr, b.Trace.StdErr, b.Products)
			}
		} else {
			if b.Seed != 8 || b.Trace.Seed != 3 {
				t.Errorf("%s: seeds %d and %d, want 8 and 3", g.Name, b.Seed, b.Trace.Seed)
			}
			if math.Abs(b.Trace.Value-tr) > 3*b.Trace.StdErr || b.Trace.StdErr <= 0 || b.Trace.Method != "hutch++ (meyer et al. 2021, algorithm 1)" {
				t.Errorf("%s: hutch++ trace %v ± %v, truth %v", g.Name, b.Trace.Value, b.Trace.StdErr, tr)
			}
			t.Logf("%s: hutch++ %.4f ± %.4f, truth %.4f; %s", g.Name, b.Trace.Value, b.Trace.StdErr, tr, b.Method)
		}
	}
	// The dense blocks' unit columns: 0..14 and 110..149, once each.
	large := bs[1].Products
	if op.vectors != 55+large {
		t.Errorf("%d products, want 55 unit columns + %d", op.vectors, large)
	}
}

func TestBlocksErrors(t *testing.T) {
	ctx := context.Background()
	a, _ := withSpectrum(spread(80, nil, nil, 0, 1), 3)
	for _, gs := range [][]sdk.Group{nil, {{Name: "x", Start: 70, Len: 11}}, {{Name: "y", Start: -1, Len: 2}}, {{Name: "z", Start: 0, Len: 0}}} {
		if _, err := Blocks(ctx, Matrix(a), gs, BlockSettings{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: %v", gs, err)
		}
	}
	// A large block whose Lanczos stops short: every block is returned,
	// with an error that names it.
	gs := []sdk.Group{{Name: "small", Start: 0, Len: 4}, {Name: "big", Start: 4, Len: 76}}
	bs, err := Blocks(ctx, Matrix(a), gs, BlockSettings{DenseMax: 8, Lanczos: LanczosSettings{MaxProducts: 3}})
	if !errors.Is(err, ErrNotConverged) || len(bs) != 2 || bs[1].Top.Converged || !bs[0].Top.Converged {
		t.Fatalf("err %v, %d blocks", err, len(bs))
	}
	if want := "hessian: did not converge: the top eigenpair of blocks big"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
