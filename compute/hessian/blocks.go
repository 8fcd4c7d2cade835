package hessian

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/landscape-go/landscape/sdk"
)

// DefaultDenseBlock is the largest block Blocks analyses exactly by
// default (BlockSettings.DenseMax).
const DefaultDenseBlock = 64

// BlockSettings tune Blocks. The zero value is valid.
type BlockSettings struct {
	// DenseMax is the largest block analysed exactly, from its unit
	// columns; 0 means DefaultDenseBlock. Larger blocks get Lanczos and
	// Hutch++.
	DenseMax int
	// Lanczos tunes the top eigenpair of a larger block (its Top and
	// Bottom are set to 1 and 0).
	Lanczos LanczosSettings
	// Trace tunes the Hutch++ trace of a larger block.
	Trace TraceSettings
}

// Block is the analysis of one diagonal block H_BB of a Hessian: the
// curvature within a parameter group, the others held fixed.
type Block struct {
	Group sdk.Group
	// Top is the block's largest eigenpair (Vector over the group's
	// coordinates).
	Top Eigenpair
	// Trace is the block's trace: exact (StdErr 0) for a dense block, a
	// Hutch++ estimate otherwise.
	Trace Estimate
	// Exact: the block was assembled from its unit columns and decomposed
	// densely.
	Exact bool
	// Products counts the products spent on this block (a dense block's
	// unit columns are shared by every block that holds the coordinate).
	Products int
	// Method says how Top and Trace were found; Seed is the Lanczos
	// start's seed of a larger block (Trace.Seed the probes').
	Method string
	Seed   uint64
}

// Blocks analyses the diagonal block of op on each group: its top
// eigenpair and its trace. Blocks of at most DenseMax coordinates are
// assembled from the products with their unit vectors (one product per
// coordinate of all such blocks together, in batches) and decomposed
// densely; larger ones get Lanczos (Top 1) and HutchPP on Restrict(op).
// Groups may overlap. When a larger block's Lanczos does not converge,
// Blocks returns every block with an error wrapping ErrNotConverged that
// names them; other errors end it.
func Blocks(ctx context.Context, op Operator, groups []sdk.Group, s BlockSettings) ([]Block, error) {
	p, err := newProducts(op, true)
	if err != nil {
		return nil, err
	}
	n := p.n
	if s.DenseMax == 0 {
		s.DenseMax = DefaultDenseBlock
	}
	if s.DenseMax < 0 {
		return nil, errInvalid("dense block limit %d: it must be positive", s.DenseMax)
	}
	if len(groups) == 0 {
		return nil, errInvalid("no groups")
	}
	for _, g := range groups {
		if g.Start < 0 || g.Len < 1 || g.Start+g.Len > n {
			return nil, errInvalid("group %q [%d, %d) outside the %d coordinates", g.Name, g.Start, g.Start+g.Len, n)
		}
	}
	out := make([]Block, len(groups))
	if err := denseBlocks(ctx, p, groups, s.DenseMax, out); err != nil {
		return nil, err
	}
	var unconverged []string
	for b, g := range groups {
		out[b].Group = g
		if g.Len <= s.DenseMax {
			continue
		}
		sub, err := Restrict(op, g.Start, g.Len)
		if err != nil {
			return nil, err
		}
		ls := s.Lanczos
		ls.Top, ls.Bottom = 1, 0
		eig, err := Lanczos(ctx, sub, ls)
		if err != nil && !errors.Is(err, ErrNotConverged) {
			return nil, fmt.Errorf("block %q: %w", g.Name, err)
		}
		if err != nil {
			unconverged = append(unconverged, g.Name)
		}
		if eig == nil {
			return nil, fmt.Errorf("block %q: %w", g.Name, err)
		}
		tr, err := HutchPP(ctx, sub, s.Trace)
		if err != nil {
			return nil, fmt.Errorf("block %q: %w", g.Name, err)
		}
		out[b].Top, out[b].Trace = eig.Top[0], *tr
		out[b].Products = eig.Products + tr.Products
		out[b].Method = eig.Method + "; " + tr.Method
		out[b].Seed = eig.Seed
	}
	if len(unconverged) > 0 {
		return out, fmt.Errorf("%w: the top eigenpair of blocks %s", ErrNotConverged, strings.Join(unconverged, ", "))
	}
	return out, nil
}

// denseBlocks fills out for the groups of at most limit coordinates from
// the products with the unit vectors of their coordinates.
func denseBlocks(ctx context.Context, p *products, groups []sdk.Group, limit int, out []Block) error {
	n := p.n
	type slot struct{ block, at int }
	owners := map[int][]slot{}
	mats := make([]*mat.Dense, len(groups))
	var coords []int
	for b, g := range groups {
		if g.Len > limit {
			continue
		}
		mats[b] = mat.NewDense(g.Len, g.Len, nil)
		for i := range g.Len {
			c := g.Start + i
			if owners[c] == nil {
				coords = append(coords, c)
			}
			owners[c] = append(owners[c], slot{b, i})
		}
	}
	if len(coords) == 0 {
		return nil
	}
	chunk := max(1, min(len(coords), maxBatchFloats/n))
	vs, hv := make([]float64, chunk*n), make([]float64, chunk*n)
	for c0 := 0; c0 < len(coords); c0 += chunk {
		k := min(chunk, len(coords)-c0)
		clear(vs[:k*n])
		for j := range k {
			vs[j*n+coords[c0+j]] = 1
		}
		if err := p.apply(ctx, hv[:k*n], vs[:k*n]); err != nil {
			return err
		}
		for j := range k {
			col := hv[j*n : (j+1)*n]
			for _, o := range owners[coords[c0+j]] {
				g := groups[o.block]
				mats[o.block].SetCol(o.at, col[g.Start:g.Start+g.Len])
			}
		}
	}
	for b, h := range mats {
		if h == nil {
			continue
		}
		g := groups[b]
		sym := mat.NewSymDense(g.Len, nil)
		var tr float64
		for i := range g.Len {
			tr += h.At(i, i)
			for j := i; j < g.Len; j++ {
				sym.SetSym(i, j, (h.At(i, j)+h.At(j, i))/2)
			}
		}
		var eig mat.EigenSym
		if !eig.Factorize(sym, true) {
			return fmt.Errorf("%w: block %q: the symmetric eigendecomposition failed", ErrNotConverged, g.Name)
		}
		vals := eig.Values(nil)
		var vecs mat.Dense
		eig.VectorsTo(&vecs)
		top := Eigenpair{Value: vals[g.Len-1], Vector: mat.Col(nil, g.Len-1, &vecs), Converged: true}
		signFix(top.Vector)
		hv := make([]float64, g.Len)
		mat.NewVecDense(g.Len, hv).MulVec(sym, mat.NewVecDense(g.Len, top.Vector))
		floats.AddScaled(hv, -top.Value, top.Vector)
		top.Residual = floats.Norm(hv, 2)
		out[b] = Block{Top: top, Exact: true, Products: g.Len,
			Trace:  Estimate{Value: tr, Products: g.Len, HVP: Describe(p.op), Method: "exact (unit vectors)"},
			Method: "dense (unit vectors, gonum EigenSym)"}
	}
	return nil
}
