package host

import (
	"archive/zip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/landscape-go/landscape/compute/hessian"
	"gonum.org/v1/gonum/mat"
)

// HessianJSON is a HessianReport for JSON: NaN and ±Inf are null.
type HessianJSON struct {
	Surface    string        `json:"surface"`
	At         []*float64    `json:"at"`
	Loss       *float64      `json:"loss"`
	GradNorm   *float64      `json:"grad_norm"`
	Critical   bool          `json:"critical_point"`
	InDomain   bool          `json:"in_domain"`
	HVP        string        `json:"hessian_method"`
	Batch      []int         `json:"batch,omitempty"`
	Dense      *denseJSON    `json:"dense,omitempty"`
	Lanczos    *lanczosJSON  `json:"lanczos,omitempty"`
	Hutchinson *estimateJSON `json:"hutchinson,omitempty"`
	HutchPP    *estimateJSON `json:"hutchpp,omitempty"`
	Density    *densityJSON  `json:"density,omitempty"`
	Blocks     []blockJSON   `json:"groups,omitempty"`
	Warnings   []string      `json:"warnings,omitempty"`
}

type denseJSON struct {
	Values       []*float64   `json:"eigenvalues"`
	Vectors      [][]*float64 `json:"eigenvectors,omitempty"`
	Hessian      [][]*float64 `json:"hessian,omitempty"`
	Class        string       `json:"class"`
	Index        int          `json:"index"`
	Tol          *float64     `json:"tolerance"`
	RelTol       float64      `json:"relative_tolerance"`
	Cond         *float64     `json:"condition_number"`
	Trace        *float64     `json:"trace"`
	Positive     *float64     `json:"positive_fraction"`
	Negative     *float64     `json:"negative_fraction"`
	Zero         *float64     `json:"zero_fraction"`
	RelAsymmetry *float64     `json:"relative_asymmetry"`
	NonFinite    int          `json:"non_finite_entries"`
	Method       string       `json:"method"`
}

type lanczosJSON struct {
	Top       []pairJSON `json:"top,omitempty"`
	Bottom    []pairJSON `json:"bottom,omitempty"`
	Converged bool       `json:"converged"`
	Tol       *float64   `json:"tolerance"`
	Products  int        `json:"products"`
	Restarts  int        `json:"restarts"`
	Seed      uint64     `json:"seed"`
	Method    string     `json:"method"`
}

type densityJSON struct {
	Lambda []*float64 `json:"lambda"`
	Value  []*float64 `json:"density"`
	Sigma  *float64   `json:"sigma"`
	Mean   *float64   `json:"mean"`
	Probes int        `json:"probes"`
	Steps  int        `json:"steps"`
	Seed   uint64     `json:"seed"`
	Method string     `json:"method"`
}

type pairJSON struct {
	Value     *float64   `json:"value"`
	Residual  *float64   `json:"residual"`
	Converged bool       `json:"converged"`
	Vector    []*float64 `json:"vector"`
}

type estimateJSON struct {
	Value    *float64 `json:"value"`
	StdErr   *float64 `json:"std_err"`
	Products int      `json:"products"`
	Seed     uint64   `json:"seed"`
	Method   string   `json:"method"`
}

type blockJSON struct {
	Name     string        `json:"name"`
	Start    int           `json:"start"`
	Len      int           `json:"len"`
	Top      *float64      `json:"top_eigenvalue"`
	Residual *float64      `json:"residual"`
	Trace    *estimateJSON `json:"trace"`
	Exact    bool          `json:"exact"`
	Method   string        `json:"method"`
}

func finites(v []float64) []*float64 {
	out := make([]*float64, len(v))
	for i, x := range v {
		out[i] = finite(x)
	}
	return out
}

func estimateOf(e *hessian.Estimate) *estimateJSON {
	if e == nil {
		return nil
	}
	return &estimateJSON{Value: finite(e.Value), StdErr: finite(e.StdErr), Products: e.Products, Seed: e.Seed, Method: e.Method}
}

func pairsOf(ps []hessian.Eigenpair) []pairJSON {
	out := make([]pairJSON, len(ps))
	for i, p := range ps {
		out[i] = pairJSON{Value: finite(p.Value), Residual: finite(p.Residual), Converged: p.Converged, Vector: finites(p.Vector)}
	}
	return out
}

// JSON is r for JSON; full adds the dense Hessian and eigenvectors.
func (r *HessianReport) JSON(full bool) HessianJSON {
	j := HessianJSON{Surface: r.Surface, At: finites(r.At), Loss: finite(r.Loss), GradNorm: finite(r.GradNorm),
		Critical: r.Critical, InDomain: r.InDomain, HVP: r.HVP, Batch: r.Batch, Warnings: r.Warnings}
	if s := r.Dense; s != nil {
		j.Dense = &denseJSON{Values: finites(s.Values), Class: s.Class.String(), Index: s.Index, Tol: finite(s.Tol), RelTol: s.RelTol,
			Cond: finite(s.Cond), Trace: finite(s.Trace), Positive: finite(s.Positive), Negative: finite(s.Negative),
			Zero: finite(s.Zero), RelAsymmetry: finite(s.RelAsymmetry), NonFinite: s.NonFinite, Method: s.Method}
		if full && s.Hessian != nil {
			n := s.Dim
			for i := 0; i < n; i++ {
				row := make([]float64, n)
				for k := 0; k < n; k++ {
					row[k] = s.Hessian.At(i, k)
				}
				j.Dense.Hessian = append(j.Dense.Hessian, finites(row))
			}
			if s.Vectors != nil {
				for c := 0; c < n; c++ {
					col := make([]float64, n)
					for i := 0; i < n; i++ {
						col[i] = s.Vectors.At(i, c)
					}
					j.Dense.Vectors = append(j.Dense.Vectors, finites(col))
				}
			}
		}
	}
	if e := r.Lanczos; e != nil {
		j.Lanczos = &lanczosJSON{Top: pairsOf(e.Top), Bottom: pairsOf(e.Bottom), Converged: e.Converged, Tol: finite(e.Tol), Products: e.Products,
			Restarts: e.Restarts, Seed: e.Seed, Method: e.Method}
	}
	j.Hutchinson, j.HutchPP = estimateOf(r.Hutchinson), estimateOf(r.HutchPP)
	if d := r.Density; d != nil {
		j.Density = &densityJSON{Lambda: finites(d.Lambda), Value: finites(d.Value), Sigma: finite(d.Sigma), Mean: finite(d.Mean),
			Probes: d.Probes, Steps: d.Steps, Seed: d.Seed, Method: d.Method}
	}
	for _, b := range r.Blocks {
		j.Blocks = append(j.Blocks, blockJSON{Name: b.Group.Name, Start: b.Group.Start, Len: b.Group.Len,
			Top: finite(b.Top.Value), Residual: finite(b.Top.Residual), Trace: estimateOf(&b.Trace), Exact: b.Exact, Method: b.Method})
	}
	return j
}

// WriteHessianNPZ writes r as an uncompressed .npz: at; the dense
// analysis's hessian (n, n), eigenvalues (n,) and eigenvectors (n, n, one
// per column); Lanczos's lanczos_top and lanczos_bottom values (k,) and
// vectors (k, n, one per row); the density's density_lambda and
// density_value. All float64.
func WriteHessianNPZ(w io.Writer, r *HessianReport) error {
	z := zip.NewWriter(w)
	member := func(name string, rows, cols int, v []float64) error {
		m, err := z.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: zip.Store, Modified: time.Unix(0, 0)})
		if err != nil {
			return err
		}
		return writeNPY64(m, rows, cols, v)
	}
	if err := member("at", -1, len(r.At), r.At); err != nil {
		return err
	}
	if s := r.Dense; s != nil && s.Hessian != nil {
		n := s.Dim
		h := make([]float64, 0, n*n)
		for i := 0; i < n; i++ {
			for k := 0; k < n; k++ {
				h = append(h, s.Hessian.At(i, k))
			}
		}
		if err := member("hessian", n, n, h); err != nil {
			return err
		}
		if err := member("eigenvalues", -1, n, s.Values); err != nil {
			return err
		}
		if s.Vectors != nil {
			if err := member("eigenvectors", n, n, mat.DenseCopyOf(s.Vectors).RawMatrix().Data); err != nil {
				return err
			}
		}
	}
	if e := r.Lanczos; e != nil {
		for _, side := range []struct {
			name  string
			pairs []hessian.Eigenpair
		}{{"lanczos_top", e.Top}, {"lanczos_bottom", e.Bottom}} {
			if len(side.pairs) == 0 {
				continue
			}
			var vals, vecs []float64
			for _, p := range side.pairs {
				vals = append(vals, p.Value)
				vecs = append(vecs, p.Vector...)
			}
			if err := member(side.name, -1, len(vals), vals); err != nil {
				return err
			}
			if err := member(side.name+"_vectors", len(vals), len(vecs)/len(vals), vecs); err != nil {
				return err
			}
		}
	}
	if d := r.Density; d != nil {
		if err := member("density_lambda", -1, len(d.Lambda), d.Lambda); err != nil {
			return err
		}
		if err := member("density_value", -1, len(d.Value), d.Value); err != nil {
			return err
		}
	}
	return z.Close()
}

// writeNPY64 writes a float64 .npy array of shape (cols,) when rows < 0,
// else (rows, cols), row-major.
func writeNPY64(w io.Writer, rows, cols int, v []float64) error {
	shape := fmt.Sprintf("(%d,)", cols)
	if rows >= 0 {
		shape = fmt.Sprintf("(%d, %d)", rows, cols)
	}
	if err := npyHeader(w, "<f8", shape); err != nil {
		return err
	}
	b := make([]byte, 0, 8*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	_, err := w.Write(b)
	return err
}
