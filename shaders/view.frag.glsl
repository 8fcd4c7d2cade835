// The viewer's 2D picture, drawn straight from the evaluation buffer (or,
// on OpenGL below 4.3, from a texture of a grid evaluated on the CPU): the
// heatmap (colormap, optional log scale), contour lines anti-aliased with
// fwidth, the colourbar, frames, and the background. shaders.View puts the
// version line (and LS_TEXTURE) and colour.glsl first.
uniform ivec2 ls_n;        // grid size
#ifdef LS_TEXTURE
uniform sampler2D ls_tex;
float ls_value(ivec2 ij) { return texelFetch(ls_tex, ij, 0).r; }
#else
layout(std430, binding = 0) readonly buffer LsField { float ls_f[]; };
float ls_value(ivec2 ij) { return ls_f[ij.y * ls_n.x + ij.x]; }
#endif
uniform vec4 ls_plot;      // plot rect: x, y, w, h in framebuffer pixels (origin bottom-left)
uniform vec4 ls_bar;       // colourbar rect
uniform int ls_levels;
uniform vec3 ls_bg;
uniform vec3 ls_nan;
out vec4 ls_color;

bool inside(vec2 p, vec4 r) { return p.x >= r.x && p.y >= r.y && p.x < r.x + r.z && p.y < r.y + r.w; }
bool border(vec2 p, vec4 r) { return inside(p, r + vec4(-1.0, -1.0, 2.0, 2.0)) && !inside(p, r); }

void main() {
	vec2 p = gl_FragCoord.xy;
	if (inside(p, ls_plot)) {
		vec2 q = (p - ls_plot.xy) / ls_plot.zw;
		ivec2 ij = clamp(ivec2(q * vec2(ls_n)), ivec2(0), ls_n - 1);
		float v = ls_value(ij);
		if (isnan(v)) {
			ls_color = vec4(ls_nan, 1.0);
			return;
		}
		float t = scaled(v);
		vec3 c = cmap(t);
		if (ls_levels > 0) {
			float s = t * float(ls_levels + 1);
			float w = fwidth(s);
			float d = abs(fract(s + 0.5) - 0.5);
			// Levels 1..n only: level 0 and n+1 are the extremes themselves.
			float inner = step(0.5, s) * step(s, float(ls_levels) + 0.5);
			float line = (1.0 - smoothstep(0.5 * w, 1.5 * w, d)) * step(w, 0.5) * inner;
			vec3 ink = dot(c, vec3(0.299, 0.587, 0.114)) > 0.5 ? vec3(0.0) : vec3(1.0);
			c = mix(c, ink, 0.45 * line);
		}
		ls_color = vec4(c, 1.0);
	} else if (inside(p, ls_bar)) {
		ls_color = vec4(cmap((p.y - ls_bar.y) / ls_bar.w), 1.0);
	} else if (border(p, ls_plot) || border(p, ls_bar)) {
		ls_color = vec4(0.2, 0.2, 0.2, 1.0);
	} else {
		ls_color = vec4(ls_bg, 1.0);
	}
}
