// landscape's evaluation kernel. The host assembles the final source as:
// the version line, its #defines (LS_POINTS or not, DIM, NDATA, LOCAL_X,
// LOCAL_Y, and LS_SPLIT with LS_LANES and LS_PTS) and the hyperparameter
// constants; this file up to the snippet marker; the surface's snippet
// (under `#line 1 1`, so that compile errors name the snippet's own
// lines); then the rest of this file.
//
// LS_SPLIT: the snippet defines SAMPLES, loss_terms(first, last, step) and
// loss_total(sum) (see sdk.SurfaceWithGLSL), and a point's samples are
// split among LS_LANES invocations of one work group, which holds LS_PTS
// points: lane l sums the terms of samples l, l+LS_LANES, ... in blocks of
// LS_BLOCK per lane (float32's rounding stays that of short sums), and
// the lanes' sums meet in shared memory in a tree. Consecutive invocations
// are one point's lanes, or with LS_PTS_FAST consecutive points (software
// renderers run SIMD lanes over consecutive invocations, and a sample's
// data is then read once for all of them).

// Results: one float per point. PLANE mode: row-major rows of this tile.
layout(std430, binding = 0) writeonly buffer LsOut { float ls_out[]; };
// PLANE mode: origin[DIM], u[DIM], v[DIM]. POINTS mode: npoints*DIM values.
layout(std430, binding = 1) readonly buffer LsIn { float ls_in[]; };
// The surface's data (DATA(i), NDATA).
layout(std430, binding = 2) readonly buffer LsData { float ls_data[]; };

#ifdef LS_SPLIT
layout(local_size_x = LS_LOCAL) in; // LS_LANES × LS_PTS
#if LS_LANES > 1
shared float ls_part[LS_PTS * LS_LANES];
#endif
#define LS_BLOCK 256
#else
layout(local_size_x = LOCAL_X, local_size_y = LOCAL_Y) in;
#endif

uniform uint ls_nx;        // PLANE: columns
uniform uint ls_ny;        // PLANE: rows of the whole grid
uniform uint ls_row0;      // PLANE: first row of this dispatch (absolute); POINTS: first point
uniform uint ls_tile_row0; // PLANE: first row of the tile (row 0 of ls_out)
uniform uint ls_tile_rows; // PLANE: rows in the tile
uniform float ls_x0, ls_dx, ls_x1;
uniform float ls_y0, ls_dy, ls_y1;
uniform uint ls_npoints;   // POINTS: number of points

float ls_gx, ls_gy; // PLANE: the grid point's coordinates
uint ls_pt;         // POINTS: the point's index

#if defined(LS_POINTS)
#define P(i) ls_in[ls_pt * uint(DIM) + uint(i)]
#elif DIM <= LS_SMALL_DIM
// Few parameters: the plane's vectors are uniforms (broadcast, not
// gathered per invocation as storage-buffer reads are).
uniform float ls_o[DIM], ls_u[DIM], ls_v[DIM];
#define P(i) (ls_o[(i)] + ls_gx * ls_u[(i)] + ls_gy * ls_v[(i)])
#else
#define P(i) (ls_in[(i)] + ls_gx * ls_in[DIM + (i)] + ls_gy * ls_in[2 * DIM + (i)])
#endif
#define DATA(i) ls_data[(i)]

//@SNIPPET

float ls_store(float v) {
	return (isnan(v) || isinf(v)) ? uintBitsToFloat(0x7fc00000u) : v;
}

#ifdef LS_SPLIT
// The sum of the terms of this invocation's share of the samples.
float ls_terms(int lane) {
	float s = 0.0;
	for (int b = 0; b < SAMPLES; b += LS_BLOCK * LS_LANES) {
		s += loss_terms(b + lane, min(b + LS_BLOCK * LS_LANES, SAMPLES), LS_LANES);
	}
	return s;
}

// This invocation's point in its work group, and its lane.
#if LS_LANES == 1
#define LS_Q gl_LocalInvocationID.x
#define LS_LANE 0u
#elif defined(LS_PTS_FAST)
#define LS_Q (gl_LocalInvocationID.x % uint(LS_PTS))
#define LS_LANE (gl_LocalInvocationID.x / uint(LS_PTS))
#else
#define LS_Q (gl_LocalInvocationID.x / uint(LS_LANES))
#define LS_LANE (gl_LocalInvocationID.x % uint(LS_LANES))
#endif

// The loss at this work group's point q from the lanes' sums (lane 0's
// value counts); every lane calls it, as barriers need all of them.
float ls_split(uint q) {
#if LS_LANES == 1
	return loss_total(ls_terms(0));
#else
	uint lane = LS_LANE;
	ls_part[q * uint(LS_LANES) + lane] = ls_terms(int(lane));
	barrier();
	for (uint h = uint(LS_LANES) / 2u; h > 0u; h >>= 1) {
		if (lane < h) ls_part[q * uint(LS_LANES) + lane] += ls_part[q * uint(LS_LANES) + lane + h];
		barrier();
	}
	return loss_total(ls_part[q * uint(LS_LANES)]);
#endif
}
#endif

// Invocations past the edge evaluate too (with their inputs clamped) and
// only skip the store: on SIMD software renderers an early return masks the
// whole kernel, which costs more than the few extra evaluations.
void main() {
#if defined(LS_SPLIT)
	uint q = LS_Q;
	bool lead = LS_LANE == 0u;
#if defined(LS_POINTS)
	uint k = gl_WorkGroupID.x * uint(LS_PTS) + q + ls_row0;
	ls_pt = min(k, ls_npoints - 1u);
	float v = ls_store(ls_split(q));
	if (lead && k < ls_npoints) ls_out[k] = v;
#else
	uint i = gl_WorkGroupID.x * uint(LS_PTS) + q;
	uint j = gl_WorkGroupID.y + ls_row0;
	ls_gx = (i >= ls_nx - 1u) ? ls_x1 : ls_x0 + float(i) * ls_dx;
	ls_gy = (j >= ls_ny - 1u) ? ls_y1 : ls_y0 + float(j) * ls_dy;
	float v = ls_store(ls_split(q));
	if (lead && i < ls_nx && j < ls_tile_row0 + ls_tile_rows) ls_out[(j - ls_tile_row0) * ls_nx + i] = v;
#endif
#elif defined(LS_POINTS)
	uint k = gl_GlobalInvocationID.x + ls_row0;
	ls_pt = min(k, ls_npoints - 1u);
	float v = ls_store(loss());
	if (k < ls_npoints) ls_out[k] = v;
#else
	// LS_COLS consecutive columns an invocation: on a software renderer
	// the cost of an invocation is then shared by several points.
	uint j = gl_GlobalInvocationID.y + ls_row0;
	ls_gy = (j >= ls_ny - 1u) ? ls_y1 : ls_y0 + float(j) * ls_dy;
	for (uint c = 0u; c < uint(LS_COLS); c++) {
		uint i = gl_GlobalInvocationID.x * uint(LS_COLS) + c;
		ls_gx = (i >= ls_nx - 1u) ? ls_x1 : ls_x0 + float(i) * ls_dx;
		float v = ls_store(loss());
		if (i < ls_nx && j < ls_tile_row0 + ls_tile_rows) ls_out[(j - ls_tile_row0) * ls_nx + i] = v;
	}
#endif
}
