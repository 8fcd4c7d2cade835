#version 330 core
layout(location = 0) in vec2 aPos;   // pixels, origin top-left, y down
layout(location = 1) in vec2 aTexel; // atlas texels
layout(location = 2) in vec4 aColor;
uniform vec2 uViewport;              // framebuffer size in pixels
out vec2 vTexel;
out vec4 vColor;
void main() {
	vec2 ndc = vec2(aPos.x / uViewport.x * 2.0 - 1.0, 1.0 - aPos.y / uViewport.y * 2.0);
	gl_Position = vec4(ndc, 0.0, 1.0);
	vTexel = aTexel;
	vColor = aColor;
}
