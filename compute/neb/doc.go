// Package neb finds minimum-energy paths between two points of a loss with
// the climbing-image nudged elastic band (Henkelman, Uberuaga and Jónsson
// 2000): the path's transition state (the saddle on it), the barrier from
// each side and the loss profile along it; between two trained parameter
// vectors of a model, the low-loss path of mode connectivity (Garipov et
// al. 2018, Draxler et al. 2018). It works over critical.Func.
package neb
