#version 330 core
// The viewer's optimizer paths: points in framebuffer pixels.
layout(location = 0) in vec2 ls_pos;
uniform vec2 ls_viewport;
uniform float ls_size;
void main() {
	gl_Position = vec4(ls_pos / ls_viewport * 2.0 - 1.0, 0.0, 1.0);
	gl_PointSize = ls_size;
}
