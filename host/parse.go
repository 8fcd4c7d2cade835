package host

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// ErrBadFlag: a flag's value is malformed.
var ErrBadFlag = errors.New("host: bad value")

// MaxAxis bounds the points along one grid axis.
const MaxAxis = 1 << 16

// ParseRes parses "NX" (square) or "NXxNY". Each must be from 2 to MaxAxis.
func ParseRes(s string) (nx, ny int, err error) {
	bad := func(why string) error {
		return fmt.Errorf("%w: --res %q: %s (use NX or NXxNY, for example 1024 or 1024x768, each from 2 to %d)", ErrBadFlag, s, why, MaxAxis)
	}
	parts := strings.Split(strings.ToLower(strings.TrimSpace(s)), "x")
	if len(parts) > 2 {
		return 0, 0, bad("too many parts")
	}
	var n [2]int
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return 0, 0, bad("not a whole number")
		}
		if v < 2 {
			return 0, 0, bad(fmt.Sprintf("%d is below 2", v))
		}
		if v > MaxAxis {
			return 0, 0, bad(fmt.Sprintf("%d is above %d", v, MaxAxis))
		}
		n[i] = v
	}
	if len(parts) == 1 {
		n[1] = n[0]
	}
	return n[0], n[1], nil
}

// ParseRange parses "x0:x1,y0:y1" into two increasing, finite intervals.
func ParseRange(s string) (x, y sdk.Interval, err error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return x, y, fmt.Errorf("%w: --range %q: want x0:x1,y0:y1, for example -2:2,-1:3", ErrBadFlag, s)
	}
	var iv [2]sdk.Interval
	for i, p := range parts {
		if iv[i], err = parseInterval(p); err != nil {
			return x, y, fmt.Errorf("%w: --range %q: %v (want x0:x1,y0:y1 with x0 < x1 and y0 < y1)", ErrBadFlag, s, err)
		}
	}
	return iv[0], iv[1], nil
}

// ParseInterval parses "lo:hi" (a flag's value) into an increasing,
// finite interval.
func ParseInterval(flag, s string) (sdk.Interval, error) {
	iv, err := parseInterval(s)
	if err != nil {
		return iv, fmt.Errorf("%w: --%s %q: %v (want lo:hi with lo < hi, for example -0.5:1.5)", ErrBadFlag, flag, s, err)
	}
	return iv, nil
}

func parseInterval(s string) (sdk.Interval, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return sdk.Interval{}, fmt.Errorf("%q has no ':'", s)
	}
	lo, err := parseFinite(a)
	if err != nil {
		return sdk.Interval{}, err
	}
	hi, err := parseFinite(b)
	if err != nil {
		return sdk.Interval{}, err
	}
	if !(lo < hi) {
		return sdk.Interval{}, fmt.Errorf("%v:%v is empty or inverted", lo, hi)
	}
	if hi-lo > math.MaxFloat64/4 {
		return sdk.Interval{}, fmt.Errorf("%v:%v is too wide", lo, hi)
	}
	return sdk.Interval{Lo: lo, Hi: hi}, nil
}

func parseFinite(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", strings.TrimSpace(s))
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not finite", strings.TrimSpace(s))
	}
	return v, nil
}

// ParseSet parses --set values: each "name=value", several comma-separated
// in one flag allowed (a piece without '=' continues the previous value, so
// a file name may hold commas). Numbers go to Params; anything else (a
// choice's name, a file name) to Texts, for the surface to judge. A name
// given twice is an error, as is a number that is not finite.
func ParseSet(vals []string) (client.Settings, error) {
	out := client.Settings{Params: sdk.Params{}, Texts: sdk.Texts{}}
	var items []string
	for _, v := range vals {
		for i, kv := range strings.Split(v, ",") {
			if i > 0 && !strings.Contains(kv, "=") && len(items) > 0 {
				items[len(items)-1] += "," + kv
				continue
			}
			items = append(items, kv)
		}
	}
	for _, kv := range items {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, val, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return out, fmt.Errorf("%w: --set %q: want name=value, for example --set A=5", ErrBadFlag, kv)
		}
		_, dupP := out.Params[k]
		_, dupT := out.Texts[k]
		if dupP || dupT {
			return out, fmt.Errorf("%w: --set %s is given twice", ErrBadFlag, k)
		}
		if _, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err != nil {
			out.Texts[k] = strings.TrimSpace(val)
			continue
		}
		f, err := parseFinite(val)
		if err != nil {
			return out, fmt.Errorf("%w: --set %s: %v", ErrBadFlag, k, err)
		}
		out.Params[k] = f
	}
	return out, nil
}

// ParseVector parses comma-separated finite numbers ("1,2.5,-3").
func ParseVector(flag, s string) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, err := parseFinite(p)
		if err != nil {
			return nil, fmt.Errorf("%w: --%s %q: %v (want comma-separated numbers)", ErrBadFlag, flag, s, err)
		}
		out = append(out, v)
	}
	return out, nil
}
