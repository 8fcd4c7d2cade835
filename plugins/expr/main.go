package main

import (
	"github.com/landscape-go/landscape/plugins/expr/formula"
	"github.com/landscape-go/landscape/sdk"
)

func main() { sdk.Serve(sdk.WithSurfaces(formula.New())) }
