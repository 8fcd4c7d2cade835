package host

import (
	"context"
	"fmt"

	"github.com/landscape-go/landscape/sdk/client"
)

// pluginOperator is a surface's Hessian at a point as products with
// vectors, asked of its plugin (client.SurfaceClient.HVP): exact where the
// surface has Hessians or Hessian-vector products, else differences of its
// gradient (or loss), which the plugin or the client takes. It implements
// hessian.Operator and hessian.Describer.
type pluginOperator struct {
	a      *App
	s      *Surface
	x      []float64
	b      *client.MiniBatch
	method client.HessianMethod
	step   float64
}

func (o *pluginOperator) Dim() int { return len(o.x) }

func (o *pluginOperator) Apply(ctx context.Context, dst, vs []float64) error {
	p, err := o.s.hvp(ctx, client.HVPs{Ref: o.s.Ref, Point: o.x, Vectors: vs, Batch: o.b})
	if err != nil {
		return err
	}
	copy(dst, p.Values)
	o.method, o.step = p.Method, p.Step
	return nil
}

// Describe says how the products are computed (the last answer's method,
// or what the surface's description promises before the first).
func (o *pluginOperator) Describe() string {
	m := o.method
	if m == 0 {
		m = o.s.Desc.Curvature(o.b != nil)
	}
	if m == client.Exact || o.step == 0 {
		return m.String()
	}
	return fmt.Sprintf("%s (step %.2g)", m, o.step)
}
