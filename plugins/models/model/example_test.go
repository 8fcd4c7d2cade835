package model_test

import (
	"fmt"

	"github.com/landscape-go/landscape/plugins/models/model"
	"github.com/landscape-go/landscape/sdk"
)

// Configuring linreg, found by name, for a noiseless line with the MAE
// loss: the loss vanishes at the line's own slope and intercept (up to the
// float32 rounding of the data).
func Example() {
	var linreg sdk.Surface
	for _, s := range model.All() {
		if s.Info().Name == "linreg" {
			linreg = s
		}
	}
	s, err := sdk.ConfigureTexts(linreg, sdk.Params{"noise": 0, "n": 50}, sdk.Texts{"loss": "mae"})
	if err != nil {
		fmt.Println(err)
		return
	}
	info := s.Info()
	fmt.Println(info.Name, info.Dim, "parameters:", info.Groups[0].Name, info.Groups[1].Name)
	fmt.Printf("loss at w=2, b=-0.5: %.4f\n", s.Loss([]float64{2, -0.5}))
	fmt.Printf("loss at w=0, b=0: %.4f\n", s.Loss([]float64{0, 0}))
	fmt.Println("samples in the data buffer:", len(s.(sdk.SurfaceWithData).Data())/2)

	_, err = sdk.ConfigureTexts(linreg, nil, sdk.Texts{"subset": "test"})
	fmt.Println(err)
	// Output:
	// linreg 2 parameters: w b
	// loss at w=2, b=-0.5: 0.0000
	// loss at w=0, b=0: 1.1534
	// samples in the data buffer: 50
	// sdk: bad hyperparameter: linreg: subset=test: no test set (split=0)
}
