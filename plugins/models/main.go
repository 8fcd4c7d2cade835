package main

import (
	"github.com/landscape-go/landscape/plugins/models/model"
	"github.com/landscape-go/landscape/sdk"
)

func main() { sdk.Serve(sdk.WithSurfaces(model.All()...)) }
