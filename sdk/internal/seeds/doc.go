// Package seeds derives independent seeds from one: run i of an optimizer
// batch, epoch k of a mini-batch shuffle.
package seeds
