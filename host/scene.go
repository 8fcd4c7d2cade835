package host

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
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
	// Set holds "name=value" items; Params, when not nil, holds them
	// already parsed (and Set is ignored).
	Set    []string
	Params sdk.Params
	// At is the point the plane goes through (comma-separated, one value per
	// parameter); empty means the origin.
	At string
	// Axes names the two parameters that vary ("0,1" by default).
	Axes string
	// MaxBytes bounds the Field's memory; 0 means DefaultMaxBytes.
	MaxBytes int64
}

// DefaultMaxBytes is the default memory budget of one Field (4 GiB).
const DefaultMaxBytes = 4 << 30

// Scene is a resolved request: which surface, configured how, on which grid.
type Scene struct {
	Entry  Entry
	Params sdk.Params
	// Desc describes the surface as configured by Params.
	Desc sdk.Descriptor
	Grid compute.Grid
}

// ResolveScene checks every flag against the catalog and the surface, and
// builds the grid. Each mistake is one error naming the flag.
func ResolveScene(ctx context.Context, cat *Catalog, f SceneFlags, callTimeout func(context.Context) (context.Context, context.CancelFunc)) (*Scene, error) {
	e, err := cat.Lookup(f.Surface)
	if err != nil {
		return nil, err
	}
	params := f.Params
	if params == nil {
		if params, err = ParseSet(f.Set); err != nil {
			return nil, err
		}
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
	desc, err := Describe(ctx, e, params, callTimeout)
	if err != nil {
		return nil, err
	}
	dim := desc.Dim
	if dim < 2 {
		return nil, fmt.Errorf("host: %s has %d parameter; a 2D grid needs at least 2 (set dim=2 or more if it takes one)", e.Name, dim)
	}
	ai, aj := 0, 1
	if f.Axes != "" {
		ax, err := parseAxes(f.Axes, dim)
		if err != nil {
			return nil, err
		}
		ai, aj = ax[0], ax[1]
	}
	var at []float64
	if f.At != "" {
		if at, err = ParseVector("at", f.At); err != nil {
			return nil, err
		}
		if len(at) != dim {
			return nil, fmt.Errorf("%w: --at has %d values; %s has %d parameters", ErrBadFlag, len(at), e.Name, dim)
		}
	}
	x, y := desc.Domain[ai], desc.Domain[aj]
	if f.Range != "" {
		if x, y, err = ParseRange(f.Range); err != nil {
			return nil, err
		}
	}
	plane := sdk.AxisPlane(dim, ai, aj, at, x, y, nx, ny)
	g := compute.Grid{Plane: plane, XLabel: "x" + strconv.Itoa(ai), YLabel: "x" + strconv.Itoa(aj)}
	return &Scene{Entry: e, Params: params, Desc: desc, Grid: g}, nil
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

// Surface adapts the scene's plugin surface to the engine.
func (s *Scene) Surface() compute.Surface {
	return remote{e: s.Entry, params: s.Params, desc: s.Desc}
}

type remote struct {
	e      Entry
	params sdk.Params
	desc   sdk.Descriptor
}

func (r remote) Descriptor() sdk.Descriptor { return r.desc }

func (r remote) EvalRows(ctx context.Context, p sdk.Plane, row0, row1 int, dst []float32, progress func(int)) error {
	return r.e.Client.EvalRows(ctx, r.e.Name, r.params, p, row0, row1, dst, sdk.RowOptions{Progress: progress, SharedDir: r.e.SharedDir})
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

// Describe asks the surface's plugin for its description as configured by
// params (which the plugin validates).
func Describe(ctx context.Context, e Entry, params sdk.Params, callTimeout func(context.Context) (context.Context, context.CancelFunc)) (sdk.Descriptor, error) {
	cctx, cancel := callTimeout(ctx)
	defer cancel()
	desc, err := e.Client.Describe(cctx, e.Name, params)
	if err != nil {
		if errors.Is(err, sdk.ErrBadParams) {
			return sdk.Descriptor{}, fmt.Errorf("%s: %w", e.Name, err)
		}
		return sdk.Descriptor{}, err
	}
	return desc, nil
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
func SplitParams(set sdk.Params, surf []sdk.Hyperparameter, opt []sdk.Hyperparameter) (sp, op sdk.Params, err error) {
	sp, op = sdk.Params{}, sdk.Params{}
	for k, v := range set {
		switch {
		case strings.HasPrefix(k, "surface."):
			sp[strings.TrimPrefix(k, "surface.")] = v
		case strings.HasPrefix(k, "opt."):
			op[strings.TrimPrefix(k, "opt.")] = v
		case Declares(surf, k) && Declares(opt, k):
			return nil, nil, fmt.Errorf("%w: --set %s: both the surface and the optimizer take %s; write surface.%s or opt.%s", ErrBadFlag, k, k, k, k)
		case Declares(surf, k):
			sp[k] = v
		default:
			op[k] = v // unknown names are the optimizer's to refuse, listing its own
		}
	}
	return sp, op, nil
}
