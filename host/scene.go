package host

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/sdk/client"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/grid"
)

// ErrTooLarge: a grid needs more memory than the budget allows.
var ErrTooLarge = errors.New("host: grid too large")

// SceneFlags are the user's words for what to evaluate.
type SceneFlags struct {
	Surface string
	// Res is "N" or "NXxNY".
	Res string
	// Range is "x0:x1,y0:y1"; empty means the surface's default domain.
	Range string
	// Set holds "name=value" items; Settings, when not nil, holds them
	// already parsed (and Set is ignored).
	Set      []string
	Settings *client.Settings
	// At is the point the plane goes through (comma-separated, one value per
	// parameter); empty means the origin.
	At string
	// Axes names the two parameters that vary ("0,1" by default).
	Axes string
	// MaxBytes bounds the Field's memory; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Plane is how the plane is chosen (see Planes); "" means "axis".
	Plane string
	// PlaneSeed seeds random and filter-normalized directions.
	PlaneSeed uint64
	// Trajectory is the file whose points --plane pca fits.
	Trajectory string
}

// Planes are the accepted --plane values: two parameters vary ("axis"),
// two seeded Gaussian directions ("random"), the same rescaled filter by
// filter to the origin's norms ("filter", Li et al. 2018), or the first
// two principal directions of an optimizer trajectory ("pca").
var Planes = []string{"axis", "random", "filter", "pca"}

// DefaultMaxBytes is the default memory budget of one Field (4 GiB).
const DefaultMaxBytes = 4 << 30

// Scene is a resolved request: which surface, configured how, on which grid.
type Scene struct {
	*Surface
	Grid compute.Grid
	// PCA is the trajectory's principal plane under --plane pca.
	PCA *compute.PCAResult
}

// ResolveScene checks every flag against the catalog and the surface, and
// builds the grid. Each mistake is one error naming the flag.
func (a *App) ResolveScene(ctx context.Context, cat *Catalog, f SceneFlags) (*Scene, error) {
	e, err := cat.Lookup(f.Surface)
	if err != nil {
		return nil, err
	}
	var params client.Settings
	if f.Settings != nil {
		params = *f.Settings
	} else if params, err = ParseSet(f.Set); err != nil {
		return nil, err
	}
	nx, ny, err := ParseRes(f.Res)
	if err != nil {
		return nil, err
	}
	budget := f.MaxBytes
	if budget <= 0 {
		budget = DefaultMaxBytes
	}
	if need := int64(nx) * int64(ny) * 4; need > budget {
		return nil, fmt.Errorf("%w: %dx%d needs %s for the grid alone, over the %s budget; lower --res or raise --max-memory",
			ErrTooLarge, nx, ny, FormatBytes(need), FormatBytes(budget))
	}
	switch f.Plane {
	case "", "axis", "random", "filter":
	case "pca":
		if f.Trajectory == "" {
			return nil, fmt.Errorf("%w: --plane pca needs --trajectory FILE (from landscape optimize -o FILE.csv)", ErrBadFlag)
		}
		if f.At != "" {
			return nil, fmt.Errorf("%w: --plane pca goes through the trajectory's last point; drop --at", ErrBadFlag)
		}
	default:
		return nil, fmt.Errorf("%w: --plane %q (accepted: %s)", ErrBadFlag, f.Plane, strings.Join(Planes, ", "))
	}
	surf, err := a.Configure(ctx, e, params)
	if err != nil {
		return nil, err
	}
	desc := surf.Desc
	dim := desc.Dim
	if dim < 2 {
		return nil, fmt.Errorf("host: %s has %d parameter; a 2D grid needs at least 2 (use landscape slice for a 1-D curve, or set dim=2 or more if it takes one)", e.Name, dim)
	}
	if f.Plane != "" && f.Plane != "axis" {
		return directionScene(surf, f, nx, ny)
	}
	ai, aj := 0, 1
	if f.Axes != "" {
		ax, err := parseAxes(f.Axes, dim)
		if err != nil {
			return nil, err
		}
		ai, aj = ax[0], ax[1]
	}
	at, err := origin(f.At, desc)
	if err != nil {
		return nil, err
	}
	x, y := desc.Domain[ai], desc.Domain[aj]
	if f.Range != "" {
		if x, y, err = ParseRange(f.Range); err != nil {
			return nil, err
		}
	}
	plane := grid.AxisPlane(dim, ai, aj, at, x, y, nx, ny)
	g := compute.Grid{Plane: plane, XLabel: "x" + strconv.Itoa(ai), YLabel: "x" + strconv.Itoa(aj)}
	return &Scene{Surface: surf, Grid: g}, nil
}

// origin is --at (numbers or a file, see LoadVector), checked against the
// surface; nil when not given.
func origin(at string, desc client.Descriptor) ([]float64, error) {
	if at == "" {
		return nil, nil
	}
	v, err := LoadVector("at", at)
	if err != nil {
		return nil, err
	}
	if len(v) != desc.Dim {
		return nil, fmt.Errorf("%w: --at has %d values; %s has %d parameters", ErrBadFlag, len(v), desc.Name, desc.Dim)
	}
	return v, nil
}

// directionScene builds a random, filter-normalized or PCA plane. Random
// and filter planes go through --at (default: the first known minimum, or
// the origin), over [-1, 1]² unless --range says otherwise; a PCA plane
// goes through the trajectory's last point, over the projected path with
// a fifth of its extent to spare.
func directionScene(surf *Surface, f SceneFlags, nx, ny int) (*Scene, error) {
	desc := surf.Desc
	dim := desc.Dim
	x, y := sdk.Interval{Lo: -1, Hi: 1}, sdk.Interval{Lo: -1, Hi: 1}
	sc := &Scene{Surface: surf}
	var plane grid.Plane
	switch f.Plane {
	case "pca":
		pts, err := LoadTrajectory("trajectory", f.Trajectory)
		if err != nil {
			return nil, err
		}
		if len(pts[0]) != dim {
			return nil, fmt.Errorf("%w: --trajectory %s has points of %d parameters; %s has %d", ErrBadFlag, f.Trajectory, len(pts[0]), desc.Name, dim)
		}
		r, err := compute.PCA(pts)
		if err != nil {
			return nil, fmt.Errorf("%w: --trajectory %s: %v", ErrBadFlag, f.Trajectory, err)
		}
		sc.PCA = &r
		x, y = r.Bounds(0.2)
		plane = r.Plane(x, y, nx, ny)
		sc.Grid.XLabel = fmt.Sprintf("pc1 (%.1f%%)", 100*r.Explained[0])
		sc.Grid.YLabel = fmt.Sprintf("pc2 (%.1f%%)", 100*r.Explained[1])
	default:
		at, err := origin(f.At, desc)
		if err != nil {
			return nil, err
		}
		if at == nil {
			at = make([]float64, dim)
			if len(desc.Minima) > 0 {
				copy(at, desc.Minima[0].Location)
			}
		}
		u := compute.RandomDirection(dim, f.PlaneSeed)
		v := compute.RandomDirection(dim, f.PlaneSeed+0x9e3779b97f4a7c15)
		if f.Plane == "filter" {
			if u, err = compute.FilterNormalize(u, at, desc.Groups); err == nil {
				v, err = compute.FilterNormalize(v, at, desc.Groups)
			}
			if err != nil {
				return nil, fmt.Errorf("%w: --plane filter: %v", ErrBadFlag, err)
			}
		}
		if err := compute.CheckPlaneDirections(u, v); err != nil {
			hint := ""
			switch {
			case f.Plane == "filter" && strings.Contains(err.Error(), "parallel"):
				hint = " (groups of one parameter leave filter-normalized directions only the signs to differ in; try another --plane-seed, or --plane random)"
			case f.Plane == "filter":
				hint = " (filter normalization scales each group to the origin's; give --at a trained point with nonzero weights)"
			}
			return nil, fmt.Errorf("%w: --plane %s: %v%s", ErrBadFlag, f.Plane, err, hint)
		}
		plane = grid.Plane{Origin: at, U: u, V: v, Nx: nx, Ny: ny}
		sc.Grid.XLabel, sc.Grid.YLabel = "d1", "d2"
	}
	if f.Range != "" {
		var err error
		if x, y, err = ParseRange(f.Range); err != nil {
			return nil, err
		}
	}
	plane.X, plane.Y = x, y
	sc.Grid.Plane = plane
	return sc, nil
}

func parseAxes(s string, dim int) ([2]int, error) {
	parts := strings.Split(s, ",")
	var ax [2]int
	if len(parts) != 2 {
		return ax, fmt.Errorf("%w: --axes %q: want two parameter indices, for example 0,1", ErrBadFlag, s)
	}
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 || v >= dim {
			return ax, fmt.Errorf("%w: --axes %q: indices must be whole numbers from 0 to %d", ErrBadFlag, s, dim-1)
		}
		ax[i] = v
	}
	if ax[0] == ax[1] {
		return ax, fmt.Errorf("%w: --axes %q: the two axes must differ", ErrBadFlag, s)
	}
	return ax, nil
}

// FormatBytes writes n bytes in binary units ("1.5 GiB").
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// ParseBytes parses a size such as "512MiB", "4GiB", "2G" or a plain byte count.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	lower := strings.ToLower(t)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40}, {"b", 1}} {
		if strings.HasSuffix(lower, u.suffix) {
			mult = u.m
			t = strings.TrimSpace(t[:len(t)-len(u.suffix)])
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !(v > 0) || v*float64(mult) > 1<<50 {
		return 0, fmt.Errorf("%w: --max-memory %q: want a positive size such as 512MiB or 8GiB", ErrBadFlag, s)
	}
	return int64(v * float64(mult)), nil
}

// Declares reports whether hs declares a hyperparameter called name.
func Declares(hs []sdk.Hyperparameter, name string) bool {
	for _, h := range hs {
		if h.Name == name {
			return true
		}
	}
	return false
}

// SplitParams routes --set values to the surface or the optimizer, by
// which declares the name; "surface.NAME" and "opt.NAME" settle a name both
// declare.
//
// Texts (values that are not numbers) are the surface's: optimizers take
// numbers only.
func SplitParams(set client.Settings, surf []sdk.Hyperparameter, opt []sdk.Hyperparameter) (sp client.Settings, op sdk.Params, err error) {
	sp, op = client.Settings{Params: sdk.Params{}, Texts: sdk.Texts{}}, sdk.Params{}
	for k, v := range set.Texts {
		sp.Texts[strings.TrimPrefix(k, "surface.")] = v
	}
	for k, v := range set.Params {
		switch {
		case strings.HasPrefix(k, "surface."):
			sp.Params[strings.TrimPrefix(k, "surface.")] = v
		case strings.HasPrefix(k, "opt."):
			op[strings.TrimPrefix(k, "opt.")] = v
		case Declares(surf, k) && Declares(opt, k):
			return sp, nil, fmt.Errorf("%w: --set %s: both the surface and the optimizer take %s; write surface.%s or opt.%s", ErrBadFlag, k, k, k, k)
		case Declares(surf, k):
			sp.Params[k] = v
		default:
			op[k] = v // unknown names are the optimizer's to refuse, listing its own
		}
	}
	return sp, op, nil
}
