package opt_test

import (
	"testing"

	"github.com/landscape-go/landscape/plugins/optimizers/opt"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/sdktest"
)

// conformance lists, for each optimizer, the settings its conformance
// checks run with besides the defaults (the other paths through its code)
// and the settings Start refuses although every value is within its
// bounds (torch.optim refuses them too).
var conformance = map[string]struct {
	params, refused []sdk.Params
}{
	"gd": {params: []sdk.Params{
		{"noise": 0.1},
		{"weight_decay": 0.1, "schedule": 1, "step_size": 3, "gamma": 0.5},
	}},
	"sgd": {
		params: []sdk.Params{
			{"momentum": 0.9, "nesterov": 1, "noise": 0.05},
			{"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1, "schedule": 2, "gamma": 0.9},
		},
		refused: []sdk.Params{{"nesterov": 1, "momentum": 0}},
	},
	"momentum": {
		params:  []sdk.Params{{"noise": 0.1, "schedule": 3, "t_max": 7}},
		refused: []sdk.Params{{"nesterov": 1, "dampening": 1}},
	},
	"nesterov": {
		params:  []sdk.Params{{"weight_decay": 0.01}},
		refused: []sdk.Params{{"momentum": 0}, {"dampening": 1}},
	},
	"adagrad": {params: []sdk.Params{
		{"lr_decay": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
	}},
	"rmsprop": {params: []sdk.Params{
		{"centered": 1, "momentum": 0.9, "weight_decay": 0.01},
		{"momentum": 0.5, "schedule": 1, "step_size": 4},
	}},
	"adam": {
		params:  []sdk.Params{{"amsgrad": 1, "weight_decay": 0.1, "schedule": 3, "t_max": 10}},
		refused: []sdk.Params{{"beta1": 1}, {"beta2": 1}},
	},
	"adamw": {
		params:  []sdk.Params{{"amsgrad": 1, "weight_decay": 0.5}},
		refused: []sdk.Params{{"beta1": 1}, {"beta2": 1}},
	},
	"anneal": {
		params:  []sdk.Params{{"T0": 0, "sigma": 0.5}, {"cooling": 1}, {"cooling": 0.5, "T_min": 0.01}},
		refused: []sdk.Params{{"T_min": 1e6}},
	},
	"grid-search":     {params: []sdk.Params{{"points": 4, "radius": 0.5}}},
	"random-restarts": {params: []sdk.Params{{"restarts": 3, "inner_steps": 5, "lr": 0.05}}},
}

// TestConformance runs the SDK's conformance harness on every optimizer.
func TestConformance(t *testing.T) {
	for _, o := range opt.All() {
		name := o.Info().Name
		t.Run(name, func(t *testing.T) {
			c, ok := conformance[name]
			if !ok {
				t.Fatalf("no conformance settings for %s: add them to the table", name)
			}
			sdktest.CheckOptimizer(t, o, sdktest.WithParams(c.params...), sdktest.WithRefused(c.refused...))
		})
	}
}
