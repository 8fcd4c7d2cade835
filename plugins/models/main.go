// Command models is the landscape plugin that serves data-driven surfaces:
// the losses of linear regression, logistic and softmax regression, a small
// perceptron and the rosette's line angle on generated or CSV datasets
// (package model).
package main

import (
	"github.com/landscape-go/landscape/plugins/models/model"
	"github.com/landscape-go/landscape/sdk"
)

func main() { sdk.Serve(sdk.WithSurfaces(model.All()...)) }
