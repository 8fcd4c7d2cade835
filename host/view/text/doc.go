// Package text draws legible labels (tick labels, colourbar labels, readouts,
// legends) in an OpenGL viewer. Glyphs of the Go Regular font are rasterised
// once into an R8 texture atlas and drawn as pixel-snapped textured quads
// with alpha blending, through compute/gl's drawing helpers. The shaders
// (shaders.Text) are GLSL 330 core, so text also works on OpenGL 3.3 and 4.1
// contexts (macOS).
//
// New, Flush and Delete must run on the GL thread (inside gl.Context.Do);
// Measure and the queueing calls (Add, AddOutlined) touch no GL state.
package text
