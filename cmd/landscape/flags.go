package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/host"
	"github.com/landscape-go/landscape/host/render"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// Flag values, each parsed once, when the flag is read: a mistake is a
// usage error naming the flag (see flagError), and commands hand host
// typed values, never flag strings.

// resFlag is --res: N or NXxNY.
type resFlag struct{ v *host.Res }

func (f resFlag) String() string {
	if f.v == nil {
		return ""
	}
	return f.v.String()
}
func (f resFlag) Type() string { return "N|NXxNY" }
func (f resFlag) Set(s string) (err error) {
	*f.v, err = host.ParseRes(s)
	return err
}

// rangeFlag is --range x0:x1,y0:y1; nil until given.
type rangeFlag struct {
	v *(*[2]sdk.Interval)
	s *string
}

func (f rangeFlag) String() string {
	if f.s == nil {
		return ""
	}
	return *f.s
}
func (f rangeFlag) Type() string { return "x0:x1,y0:y1|lo:hi" }
func (f rangeFlag) Set(s string) error {
	x, y, err := host.ParseRange(s)
	if err != nil {
		return err
	}
	*f.v, *f.s = &[2]sdk.Interval{x, y}, s
	return nil
}

// intervalFlag is a lo:hi flag; nil until given.
type intervalFlag struct {
	v *(*sdk.Interval)
	s *string
}

func (f intervalFlag) String() string {
	if f.s == nil {
		return ""
	}
	return *f.s
}
func (f intervalFlag) Type() string { return "lo:hi" }
func (f intervalFlag) Set(s string) error {
	iv, err := host.ParseInterval(s)
	if err != nil {
		return err
	}
	*f.v, *f.s = &iv, s
	return nil
}

// axesFlag is --axes i,j.
type axesFlag struct{ v *[2]int }

func (f axesFlag) String() string {
	if f.v == nil {
		return ""
	}
	return fmt.Sprintf("%d,%d", f.v[0], f.v[1])
}
func (f axesFlag) Type() string { return "i,j" }
func (f axesFlag) Set(s string) (err error) {
	*f.v, err = host.ParseAxes(s)
	return err
}

// bytesFlag is a size: 512MiB, 4GiB, 2G, or bytes.
type bytesFlag struct{ v *int64 }

func (f bytesFlag) String() string {
	if f.v == nil || *f.v == 0 {
		return ""
	}
	return strings.ReplaceAll(host.FormatBytes(*f.v), " ", "")
}
func (f bytesFlag) Type() string { return "size" }
func (f bytesFlag) Set(s string) (err error) {
	*f.v, err = host.ParseBytes(s)
	return err
}

// backendFlag is --backend auto|gl|cpu.
type backendFlag struct{ v *host.Backend }

func (f backendFlag) String() string {
	if f.v == nil {
		return ""
	}
	return f.v.String()
}
func (f backendFlag) Type() string { return "auto|gl|cpu" }
func (f backendFlag) Set(s string) (err error) {
	*f.v, err = host.ParseBackend(s)
	return err
}

// planeFlag is --plane axis|random|filter|pca.
type planeFlag struct{ v *host.PlaneKind }

func (f planeFlag) String() string {
	if f.v == nil {
		return ""
	}
	return f.v.String()
}
func (f planeFlag) Type() string { return "axis|random|filter|pca" }
func (f planeFlag) Set(s string) (err error) {
	*f.v, err = host.ParsePlaneKind(s)
	return err
}

// filterBiasFlag is --filter-bias zero|copy|rescale.
type filterBiasFlag struct{ v *host.FilterBias }

func (f filterBiasFlag) String() string {
	if f.v == nil {
		return ""
	}
	return host.FilterBiasName(*f.v)
}
func (f filterBiasFlag) Type() string { return "zero|copy|rescale" }
func (f filterBiasFlag) Set(s string) (err error) {
	*f.v, err = host.ParseFilterBias(s)
	return err
}

// filterBiasUsage is --filter-bias's help.
const filterBiasUsage = "what filter-normalized directions do with biases (and other 1-D parameter tensors): zero them, as loss-landscape's ignore='biasbn' and Li et al. (zero), set them to the point's (copy), or rescale them as filters (rescale)"

// dirFlag is --dir axis:I|random|filter.
type dirFlag struct{ v *host.Direction }

func (f dirFlag) String() string {
	if f.v == nil {
		return ""
	}
	return f.v.String()
}
func (f dirFlag) Type() string { return "axis:I|random|filter" }
func (f dirFlag) Set(s string) (err error) {
	*f.v, err = host.ParseDirection(s)
	return err
}

// pointFlag is a parameter vector: comma-separated numbers, or a file (a
// trajectory's last point, FILE@K for its point K, or a .npy vector); nil
// until given.
type pointFlag struct {
	v *[]float64
	s *string
}

func (f pointFlag) String() string {
	if f.s == nil {
		return ""
	}
	return *f.s
}
func (f pointFlag) Type() string { return "x0,x1,...|FILE" }
func (f pointFlag) Set(s string) error {
	v, err := host.LoadVector(s)
	if err != nil {
		return err
	}
	*f.v, *f.s = v, s
	return nil
}

// pointsFlag is a repeatable pointFlag.
type pointsFlag struct{ v *[][]float64 }

func (f pointsFlag) String() string { return "" }
func (f pointsFlag) Type() string   { return "x0,x1,...|FILE" }
func (f pointsFlag) Set(s string) error {
	v, err := host.LoadVector(s)
	if err != nil {
		return err
	}
	*f.v = append(*f.v, v)
	return nil
}

// trajectoryFlag is a trajectory file's points (--trajectory).
type trajectoryFlag struct {
	path string
	pts  [][]float64
}

func (f *trajectoryFlag) String() string { return f.path }
func (f *trajectoryFlag) Type() string   { return "FILE" }
func (f *trajectoryFlag) Set(s string) (err error) {
	if f.pts, err = host.LoadTrajectory(s); err != nil {
		return err
	}
	f.path = s
	return nil
}

// settingsFlag is --set name=value, repeatable and comma-separable.
type settingsFlag struct{ v *client.Settings }

func (f settingsFlag) String() string { return "" }
func (f settingsFlag) Type() string   { return "name=value" }
func (f settingsFlag) Set(s string) error {
	return host.AddSettings(f.v, s)
}

// listFlag is a comma-separated list of names.
type listFlag struct{ v *[]string }

func (f listFlag) String() string {
	if f.v == nil {
		return ""
	}
	return strings.Join(*f.v, ",")
}
func (f listFlag) Type() string { return "a,b,..." }
func (f listFlag) Set(s string) error {
	*f.v = nil
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*f.v = append(*f.v, p)
		}
	}
	if len(*f.v) == 0 {
		return fmt.Errorf("want comma-separated names")
	}
	return nil
}

// choiceFlag is one of a fixed set of words.
type choiceFlag struct {
	v       *string
	choices []string
}

func (f choiceFlag) String() string {
	if f.v == nil {
		return ""
	}
	return *f.v
}
func (f choiceFlag) Type() string { return strings.Join(f.choices, "|") }
func (f choiceFlag) Set(s string) error {
	for _, c := range f.choices {
		if s == c {
			*f.v = s
			return nil
		}
	}
	return fmt.Errorf("accepted: %s", strings.Join(f.choices, ", "))
}

// pathFlag is a repeatable --path OPTIMIZER@x0,x1,...
type pathFlag struct{ v *[]host.PathRun }

func (f pathFlag) String() string { return "" }
func (f pathFlag) Type() string   { return "OPTIMIZER@x0,x1,..." }
func (f pathFlag) Set(s string) error {
	name, at, ok := strings.Cut(s, "@")
	if !ok || name == "" || at == "" {
		return fmt.Errorf("want OPTIMIZER@x0,x1,..., for example adam@-1.5,2")
	}
	x, err := host.ParseVector(at)
	if err != nil {
		return err
	}
	*f.v = append(*f.v, host.PathRun{Optimizer: name, Start: x})
	return nil
}

// intRange is a whole-number flag that must lie in [lo, hi].
type intRange struct {
	v      *int
	lo, hi int
}

func (f intRange) String() string {
	if f.v == nil {
		return ""
	}
	return strconv.Itoa(*f.v)
}
func (f intRange) Type() string { return "int" }
func (f intRange) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("not a whole number (want %d to %d)", f.lo, f.hi)
	}
	if n < f.lo || n > f.hi {
		return fmt.Errorf("want %d to %d", f.lo, f.hi)
	}
	*f.v = n
	return nil
}

// floatRange is a finite number flag; positive when pos is set.
type floatRange struct {
	v   *float64
	pos bool
}

func (f floatRange) String() string {
	if f.v == nil {
		return ""
	}
	return strconv.FormatFloat(*f.v, 'g', -1, 64)
}
func (f floatRange) Type() string { return "float" }
func (f floatRange) Set(s string) error {
	v, err := host.ParseVector(s)
	if err != nil || len(v) != 1 {
		return fmt.Errorf("want a finite number")
	}
	if f.pos && !(v[0] > 0) {
		return fmt.Errorf("want a positive number")
	}
	*f.v = v[0]
	return nil
}

// flagFor is the flag that gives the host's input (see host.InputError),
// or "" for an input no flag gives.
func flagFor(input string) string {
	switch input {
	case "point":
		return "--at"
	case "resolution", "points":
		return "--res"
	case "direction":
		return "--dir"
	case "settings":
		return "--set"
	case "batch size":
		return "--batch-size"
	case "directions":
		return "--dirs"
	case "dense limit":
		return "--max-dense"
	case "axes", "range", "trajectory", "plane", "from", "to", "start", "backend", "backends", "top", "bottom", "groups", "sigma", "optimizers", "sweep", "shard", "journal":
		return "--" + input
	}
	return ""
}

// colormapFlag is a colormap's name (see render.Colormaps).
type colormapFlag struct{ v *string }

func (f colormapFlag) String() string {
	if f.v == nil {
		return ""
	}
	return *f.v
}
func (f colormapFlag) Type() string { return "name" }
func (f colormapFlag) Set(s string) error {
	if _, err := render.Colormap(s); err != nil {
		return err
	}
	*f.v = s
	return nil
}

// resListFlag is a comma-separated list of resolutions.
type resListFlag struct{ v *[]host.Res }

func (f resListFlag) String() string { return "" }
func (f resListFlag) Type() string   { return "NXxNY,..." }
func (f resListFlag) Set(s string) error {
	*f.v = nil
	for _, p := range strings.Split(s, ",") {
		r, err := host.ParseRes(p)
		if err != nil {
			return err
		}
		*f.v = append(*f.v, r)
	}
	return nil
}

// choicesFlag is a comma-separated list of words from a fixed set.
type choicesFlag struct {
	v       *[]string
	choices []string
}

func (f choicesFlag) String() string { return "" }
func (f choicesFlag) Type() string   { return strings.Join(f.choices, ",") }
func (f choicesFlag) Set(s string) error {
	var names []string
	if err := (listFlag{&names}).Set(s); err != nil {
		return err
	}
	for _, n := range names {
		if err := (choiceFlag{new(string), f.choices}).Set(n); err != nil {
			return fmt.Errorf("%q: %w", n, err)
		}
	}
	*f.v = names
	return nil
}

// quantityFlag is --quantity (see compute.Quantity).
type quantityFlag struct{ v *compute.Quantity }

func (f quantityFlag) String() string {
	if f.v == nil {
		return ""
	}
	return f.v.String()
}
func (f quantityFlag) Type() string { return "quantity" }
func (f quantityFlag) Set(s string) (err error) {
	*f.v, err = compute.ParseQuantity(s)
	return err
}

// dirsFlag is --dirs U,V: two vector files (a trajectory's last point,
// FILE@K, or a .npy vector).
type dirsFlag struct {
	v *[2][]float64
	s string
}

func (f *dirsFlag) String() string { return f.s }
func (f *dirsFlag) Type() string   { return "U.npy,V.npy" }
func (f *dirsFlag) Set(s string) error {
	a, b, ok := strings.Cut(s, ",")
	if !ok || strings.Contains(b, ",") {
		return fmt.Errorf("want two vector files, for example u.npy,v.npy")
	}
	var d [2][]float64
	for i, p := range []string{a, b} {
		if !strings.Contains(p, ".") {
			return fmt.Errorf("want two vector files, for example u.npy,v.npy")
		}
		v, err := host.LoadVector(strings.TrimSpace(p))
		if err != nil {
			return err
		}
		d[i] = v
	}
	*f.v, f.s = d, s
	return nil
}

// durationFlag is a positive duration (30s, 2m).
type durationFlag struct{ v *time.Duration }

func (f durationFlag) String() string {
	if f.v == nil || *f.v == 0 {
		return ""
	}
	return f.v.String()
}
func (f durationFlag) Type() string { return "duration" }
func (f durationFlag) Set(s string) (err error) {
	*f.v, err = host.ParseDuration(s)
	return err
}

// wholeFlag is a whole number from lo to hi.
type wholeFlag struct {
	v      *int
	lo, hi int
}

func (f wholeFlag) String() string {
	if f.v == nil {
		return ""
	}
	return strconv.Itoa(*f.v)
}
func (f wholeFlag) Type() string { return "N" }
func (f wholeFlag) Set(s string) (err error) {
	*f.v, err = host.ParseWhole(s, f.lo, f.hi)
	return err
}

// retriesFlag is --plugin-retries N (0 to 100): host.App.Retries, where 0
// is "never" (-1).
type retriesFlag struct{ v *int }

func (f retriesFlag) String() string {
	switch {
	case f.v == nil || *f.v == 0:
		return ""
	case *f.v < 0:
		return "0"
	}
	return strconv.Itoa(*f.v)
}
func (f retriesFlag) Type() string { return "N" }
func (f retriesFlag) Set(s string) error {
	n, err := host.ParseWhole(s, 0, 100)
	if err != nil {
		return err
	}
	if n == 0 {
		n = -1
	}
	*f.v = n
	return nil
}

// shardFlag is --shard i/n, auto or auto/n (read from the environment
// when the flag is read).
type shardFlag struct{ v *host.Shard }

func (f shardFlag) String() string {
	if f.v == nil {
		return ""
	}
	return f.v.String()
}
func (f shardFlag) Type() string { return "i/n|auto|auto/n" }
func (f shardFlag) Set(s string) (err error) {
	*f.v, err = host.ParseShard(s, os.Getenv)
	return err
}

// endpointFlag is an end of a path: minK, numbers or a file.
type endpointFlag struct {
	v   *host.Endpoint
	set *bool
}

func (f endpointFlag) String() string {
	if f.v == nil {
		return ""
	}
	return f.v.Text
}
func (f endpointFlag) Type() string { return "minK|x0,x1,...|FILE" }
func (f endpointFlag) Set(s string) (err error) {
	*f.v, err = host.ParseEndpoint(s)
	if err == nil {
		*f.set = true
	}
	return err
}

// endpointsFlag is a repeatable A:B pair of path ends (--mep).
type endpointsFlag struct{ v *[][2]host.Endpoint }

func (f endpointsFlag) String() string { return "" }
func (f endpointsFlag) Type() string   { return "A:B" }
func (f endpointsFlag) Set(s string) error {
	a, b, err := host.ParseEndpoints(s)
	if err != nil {
		return err
	}
	*f.v = append(*f.v, [2]host.Endpoint{a, b})
	return nil
}

// profileDirsFlag is a repeatable direction of a stats profile.
type profileDirsFlag struct{ v *[]host.ProfileDir }

func (f profileDirsFlag) String() string { return "" }
func (f profileDirsFlag) Type() string   { return "axis:I|random|filter|hessian|FILE" }
func (f profileDirsFlag) Set(s string) error {
	d, err := host.ParseProfileDir(s)
	if err != nil {
		return err
	}
	*f.v = append(*f.v, d)
	return nil
}

// sigmaFlag is a Gaussian's σ in grid cells.
type sigmaFlag struct{ v *float64 }

func (f sigmaFlag) String() string {
	if f.v == nil {
		return ""
	}
	return strconv.FormatFloat(*f.v, 'g', -1, 64)
}
func (f sigmaFlag) Type() string { return "cells" }
func (f sigmaFlag) Set(s string) (err error) {
	*f.v, err = host.ParseSigma(s)
	return err
}
