// The viewer's 3D surface, drawn straight from the evaluation buffer: one
// vertex per sample of an ls_res×ls_res lattice over the nx×ny grid
// (bilinear between cell centres, see sampleAt), positions from gl_VertexID, no vertex buffer. World
// space: x and y span [-0.5, 0.5], z is the scaled value times HEIGHT.
// With ls_box == 1 the vertices are instead the 24 ends of the box's 12
// edges (GL_LINES), for orientation.
layout(std430, binding = 0) readonly buffer LsField { float ls_f[]; };
uniform ivec2 ls_n;     // grid size
uniform int ls_res;     // lattice size
uniform mat4 ls_mvp;    // world → clip
uniform int ls_box;
out vec3 ls_pos;        // world position
out vec3 ls_normal;     // world normal, not normalised
out float ls_t;         // colormap coordinate
out float ls_ok;        // 1 at a defined sample, 0 at NaN

const float HEIGHT = 0.6;

float cell(ivec2 ij) { return ls_f[ij.y * ls_n.x + ij.x]; }

// value at lattice sample (i, j): the grid's, interpolated bilinearly
// between the four cell centres around the sample's position (so that
// slopes, and the shading, stay smooth when the lattice and the grid
// differ in size); beside an undefined cell, that of the cell the position
// falls in.
float sampleAt(int i, int j) {
	i = clamp(i, 0, ls_res - 1);
	j = clamp(j, 0, ls_res - 1);
	vec2 q = vec2(i, j) / float(ls_res - 1);
	vec2 g = clamp(q * vec2(ls_n) - 0.5, vec2(0.0), vec2(ls_n - 1));
	ivec2 a = ivec2(floor(g));
	ivec2 b = min(a + 1, ls_n - 1);
	vec2 f = g - vec2(a);
	float v00 = cell(a), v10 = cell(ivec2(b.x, a.y)), v01 = cell(ivec2(a.x, b.y)), v11 = cell(b);
	if (isnan(v00) || isnan(v10) || isnan(v01) || isnan(v11)) {
		return cell(clamp(ivec2(q * vec2(ls_n)), ivec2(0), ls_n - 1));
	}
	return mix(mix(v00, v10, f.x), mix(v01, v11, f.x), f.y);
}

// height of a scaled value, clamped to the box.
float height(float v) { return clamp(scaled(v), 0.0, 1.0) * HEIGHT; }

const int EDGES[24] = int[24](0, 1, 1, 3, 3, 2, 2, 0, 4, 5, 5, 7, 7, 6, 6, 4, 0, 4, 1, 5, 2, 6, 3, 7);

void main() {
	if (ls_box == 1) {
		int k = EDGES[gl_VertexID % 24];
		vec3 p = vec3((k & 1) != 0 ? 0.5 : -0.5, (k & 2) != 0 ? 0.5 : -0.5, (k & 4) != 0 ? HEIGHT : 0.0);
		ls_pos = p;
		ls_normal = vec3(0.0, 0.0, 1.0);
		ls_t = 0.0;
		ls_ok = 1.0;
		gl_Position = ls_mvp * vec4(p, 1.0);
		return;
	}
	int i = gl_VertexID % ls_res;
	int j = gl_VertexID / ls_res;
	float step = 1.0 / float(ls_res - 1);
	float v = sampleAt(i, j);
	bool ok = !isnan(v);
	float h = ok ? height(v) : 0.0;
	// Normal from the neighbouring samples: central differences, one-sided
	// at the lattice's edges and beside undefined samples.
	float hl = h, hr = h, hd = h, hu = h;
	float wx = 0.0, wy = 0.0;
	if (i > 0) { float s = sampleAt(i - 1, j); if (!isnan(s)) { hl = height(s); wx += step; } }
	if (i < ls_res - 1) { float s = sampleAt(i + 1, j); if (!isnan(s)) { hr = height(s); wx += step; } }
	if (j > 0) { float s = sampleAt(i, j - 1); if (!isnan(s)) { hd = height(s); wy += step; } }
	if (j < ls_res - 1) { float s = sampleAt(i, j + 1); if (!isnan(s)) { hu = height(s); wy += step; } }
	float dx = wx > 0.0 ? (hr - hl) / wx : 0.0;
	float dy = wy > 0.0 ? (hu - hd) / wy : 0.0;
	vec3 p = vec3(float(i) * step - 0.5, float(j) * step - 0.5, h);
	ls_pos = p;
	ls_normal = vec3(-dx, -dy, 1.0);
	ls_t = ok ? clamp(scaled(v), 0.0, 1.0) : 0.0;
	ls_ok = ok ? 1.0 : 0.0;
	gl_Position = ls_mvp * vec4(p, 1.0);
}
