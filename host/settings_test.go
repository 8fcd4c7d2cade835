package host

import (
	"errors"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

func TestRoute(t *testing.T) {
	surf := []sdk.Hyperparameter{{Name: "dim", Default: 2, Integer: true}, {Name: "noise", Default: 0}, {Name: "csv", Text: true}}
	adam := OptEntry{OptimizerInfo: sdk.OptimizerInfo{Name: "adam", Hyperparameters: []sdk.Hyperparameter{
		{Name: "lr", Default: 0.001, Min: 0, Max: 10}, {Name: "amsgrad", Flag: true},
		{Name: "schedule", Options: []string{"none", "step", "exponential", "cosine"}}, {Name: "noise", Default: 0}}}}
	sgd := OptEntry{OptimizerInfo: sdk.OptimizerInfo{Name: "sgd", Hyperparameters: []sdk.Hyperparameter{
		{Name: "lr", Default: 0.01, Min: 0, Max: 10}, {Name: "nesterov", Flag: true}}}}
	set := func(vals ...string) client.Settings {
		s, err := ParseSettings(vals...)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	r, err := Route(set("dim=3,csv=a.csv,lr=0.5,amsgrad=true,schedule=cosine,sgd.nesterov=true,adam.lr=0.1,surface.noise=0.2,opt.noise=0.3"), "bowl", surf, []OptEntry{adam, sgd})
	if err != nil {
		t.Fatal(err)
	}
	if r.Surface.Params["dim"] != 3 || r.Surface.Params["noise"] != 0.2 || r.Surface.Texts["csv"] != "a.csv" || len(r.Surface.Params) != 2 {
		t.Errorf("surface got %+v", r.Surface)
	}
	a, s := r.Optimizers["adam"], r.Optimizers["sgd"]
	if a["lr"] != 0.1 || a["amsgrad"] != 1 || a["schedule"] != 3 || a["noise"] != 0.3 {
		t.Errorf("adam got %v", a)
	}
	if s["lr"] != 0.5 || s["nesterov"] != 1 || len(s) != 2 {
		t.Errorf("sgd got %v (want lr and nesterov, defaults filled)", s)
	}
	for _, c := range []struct {
		set  client.Settings
		want string
		is   error
	}{
		{set("nosuch=1"), `nosuch: neither the surface bowl (takes dim, noise, csv) nor the optimizer adam (takes lr, amsgrad, schedule, noise), the optimizer sgd (takes lr, nesterov) takes "nosuch"`, ErrBadInput},
		{set("nosuch=word"), `neither the surface bowl`, ErrBadInput},
		{set("noise=1"), "both the surface bowl and the optimizer adam take noise; write surface.noise or adam.noise", ErrBadInput},
		{set("rmsprop.lr=1"), "rmsprop is not one of the optimizers here (adam, sgd)", ErrBadInput},
		{set("opt.dim=1"), "no optimizer here takes dim", ErrBadInput},
		{set("amsgrad=maybe"), `adam: sdk: bad hyperparameter: amsgrad="maybe": write false or true`, sdk.ErrBadParams},
		{set("schedule=cosin"), "choose one of none, step, exponential, cosine", sdk.ErrBadParams},
		{set("amsgrad=2"), "write false or true", sdk.ErrBadParams},
		{set("lr=11"), "out of bounds", sdk.ErrBadParams},
	} {
		_, err := Route(c.set, "bowl", surf, []OptEntry{adam, sgd})
		if err == nil || !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Route(%+v) = %v; want %v containing %q", c.set, err, c.is, c.want)
		}
	}
	// One optimizer: a name only it and the surface take still needs a prefix.
	if _, err := Route(set("noise=1"), "bowl", surf, []OptEntry{adam}); err == nil {
		t.Error("an ambiguous name was routed")
	}
	if r, err := Route(set("noise=1"), "bowl", surf, nil); err != nil || r.Surface.Params["noise"] != 1 {
		t.Errorf("without optimizers every name is the surface's: %+v, %v", r, err)
	}
	// An optimizer's texts (a grid's ranges, commas and all) reach it
	// apart; one given none has no entry, and a number is a text there.
	grid := OptEntry{OptimizerInfo: sdk.OptimizerInfo{Name: "grid-search", Hyperparameters: []sdk.Hyperparameter{
		{Name: "points", Default: 11, Min: 2, Max: 1001, Integer: true}, {Name: "ranges", Text: true}}}}
	r, err = Route(set("ranges=-4:4:41,-3:3", "points=5"), "bowl", surf, []OptEntry{grid, sgd})
	if err != nil {
		t.Fatal(err)
	}
	if r.OptimizerTexts["grid-search"]["ranges"] != "-4:4:41,-3:3" || r.Optimizers["grid-search"]["points"] != 5 || len(r.OptimizerTexts) != 1 {
		t.Errorf("grid-search got %v and %v", r.Optimizers["grid-search"], r.OptimizerTexts)
	}
	if r, err := Route(set("grid-search.ranges=7"), "bowl", surf, []OptEntry{grid}); err != nil || r.OptimizerTexts["grid-search"]["ranges"] != "7" {
		t.Errorf("a number given to a text: %v, %v", r.OptimizerTexts, err)
	}
	if r, err := Route(set("points=3"), "bowl", surf, []OptEntry{grid}); err != nil || len(r.OptimizerTexts) != 0 {
		t.Errorf("no texts given: %v, %v", r.OptimizerTexts, err)
	}
}

func TestInputError(t *testing.T) {
	err := badInput("point", "has %d values; %s has %d parameters", 2, "rosenbrock", 3)
	if !errors.Is(err, ErrBadInput) || err.Error() != "point has 2 values; rosenbrock has 3 parameters" {
		t.Errorf("badInput = %v", err)
	}
	cause := errors.New("cause")
	wrapped := errors.Join(errors.New("context"), &InputError{Input: "axes", Msg: "must differ", Err: cause})
	NameInputs(wrapped, func(in string) string { return "--" + in })
	if !strings.Contains(wrapped.Error(), "--axes must differ") || !errors.Is(wrapped, cause) || !errors.Is(wrapped, ErrBadInput) {
		t.Errorf("renamed: %v", wrapped)
	}
	plain := errors.New("no input")
	if NameInputs(plain, func(string) string { return "x" }) != plain {
		t.Error("NameInputs changed an error without inputs")
	}
}
