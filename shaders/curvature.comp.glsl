// landscape's curvature kernel: at each point of a grid plane it stores
// the loss, the norm of the full gradient and the plane Hessian, the
// Hessian of (x, y) ↦ f(o + x·u + y·v): huu, huv, hvv. With the surface's
// grad() the Hessian comes from central differences of the gradient along u
// and v (4 gradients); without, from second differences of loss() (8 more
// losses), and the gradient from central differences of loss(). The host
// assembles: the version line, its #defines (DIM, NDATA, LOCAL_X,
// LS_SURFACE_GRAD) and the hyperparameter constants; this file up to the
// snippet marker; the surface's snippet (lines from 1); then the rest.

layout(local_size_x = LOCAL_X) in;

// Results: five floats per point (loss, gradient norm, huu, huv, hvv),
// the points of this tile row-major.
layout(std430, binding = 0) writeonly buffer LsOut { float ls_out[]; };
// The plane: origin[DIM], u[DIM], v[DIM].
layout(std430, binding = 1) readonly buffer LsIn { float ls_in[]; };
// The surface's data (DATA(i), NDATA).
layout(std430, binding = 2) readonly buffer LsData { float ls_data[]; };
// Raised when the driver cut an invocation's loops (ls_loops_cut).
layout(std430, binding = 3) buffer LsCut { uint ls_cut; };

uniform uint ls_nx;     // columns
uniform uint ls_ny;     // rows of the whole grid
uniform uint ls_first;  // first point (absolute index) of this dispatch
uniform uint ls_tile0;  // first point of the tile (index 0 of ls_out)
uniform uint ls_npts;   // points in the tile
uniform float ls_x0, ls_dx, ls_x1;
uniform float ls_y0, ls_dy, ls_y1;

float ls_x[DIM];
#define P(i) ls_x[(i)]
#define DATA(i) ls_data[(i)]

//@SNIPPET

// ls_at puts the plane's point (x, y) in ls_x.
void ls_at(float x, float y) {
	for (int i = 0; i < DIM; i++) ls_x[i] = ls_in[i] + x * ls_in[DIM + i] + y * ls_in[2 * DIM + i];
}

float ls_f(float x, float y) {
	ls_at(x, y);
	return loss();
}

#ifdef LS_SURFACE_GRAD
// ls_dirs is the gradient at (x, y) along u (.x) and v (.y), and its
// squared norm (.z).
vec3 ls_dirs(float x, float y) {
	float g[DIM];
	ls_at(x, y);
	grad(g);
	vec3 r = vec3(0.0);
	for (int i = 0; i < DIM; i++) {
		r.x += g[i] * ls_in[DIM + i];
		r.y += g[i] * ls_in[2 * DIM + i];
		r.z += g[i] * g[i];
	}
	return r;
}
#else
// ls_gnorm is the norm of ls_grad at ls_x.
float ls_gnorm() {
	float g[DIM];
	ls_grad(g);
	float s = 0.0;
	for (int i = 0; i < DIM; i++) s += g[i] * g[i];
	return sqrt(s);
}
#endif

float ls_store(float v) {
	return (isnan(v) || isinf(v)) ? uintBitsToFloat(0x7fc00000u) : v;
}

void main() {
	uint k = gl_GlobalInvocationID.x + ls_first;
	uint q = min(k, ls_tile0 + ls_npts - 1u);
	uint i = q % ls_nx, j = q / ls_nx;
	float x = (i >= ls_nx - 1u) ? ls_x1 : ls_x0 + float(i) * ls_dx;
	float y = (j >= ls_ny - 1u) ? ls_y1 : ls_y0 + float(j) * ls_dy;
	float f0 = ls_f(x, y), gn, huu, huv, hvv;
#ifdef LS_SURFACE_GRAD
	// Steps about ε^(1/3) of the coordinate: truncation and rounding errors
	// of a central difference of the gradient balance there.
	float hu = 4e-3 * max(1.0, abs(x)), hv = 4e-3 * max(1.0, abs(y));
	gn = sqrt(ls_dirs(x, y).z);
	vec3 up = ls_dirs(x + hu, y), um = ls_dirs(x - hu, y);
	vec3 vp = ls_dirs(x, y + hv), vm = ls_dirs(x, y - hv);
	huu = (up.x - um.x) / (2.0 * hu);
	hvv = (vp.y - vm.y) / (2.0 * hv);
	huv = 0.5 * ((up.y - um.y) / (2.0 * hu) + (vp.x - vm.x) / (2.0 * hv));
#else
	// Steps about ε^(1/4) of the coordinate, for second differences.
	float hu = 2e-2 * max(1.0, abs(x)), hv = 2e-2 * max(1.0, abs(y));
	ls_at(x, y);
	gn = ls_gnorm();
	float fup = ls_f(x + hu, y), fum = ls_f(x - hu, y);
	float fvp = ls_f(x, y + hv), fvm = ls_f(x, y - hv);
	huu = (fup - 2.0 * f0 + fum) / (hu * hu);
	hvv = (fvp - 2.0 * f0 + fvm) / (hv * hv);
	huv = (ls_f(x + hu, y + hv) - ls_f(x + hu, y - hv) - ls_f(x - hu, y + hv) + ls_f(x - hu, y - hv)) / (4.0 * hu * hv);
#endif
	if (ls_loops_cut()) atomicOr(ls_cut, 1u);
	if (k < ls_tile0 + ls_npts) {
		uint o = 5u * (k - ls_tile0);
		ls_out[o] = ls_store(f0);
		ls_out[o + 1u] = ls_store(gn);
		ls_out[o + 2u] = ls_store(huu);
		ls_out[o + 3u] = ls_store(huv);
		ls_out[o + 4u] = ls_store(hvv);
	}
}
