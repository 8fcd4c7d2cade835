"""NumPy's evaluation of landscape's analytic benchmark surfaces.

Each function takes the grid's two coordinate vectors (numpy.linspace over
the plane's ranges, both ends included, as landscape's grids) and the
surface's hyperparameters, and returns the float32 grid of shape (ny, nx),
row 0 at the low end of y: what a NumPy user writes, float64 math on
numpy.meshgrid, cast to float32 at the end. The formulas are those of
plugins/testfuncs (two parameters).
"""
import numpy as np


def ripple(X, Y, p):
    return np.sin(4 * X) * np.cos(4 * Y) + 2 * (X * X + Y * Y)


def rastrigin(X, Y, p):
    A = p.get("A", 10.0)
    return 2 * A + (X * X - A * np.cos(2 * np.pi * X)) + (Y * Y - A * np.cos(2 * np.pi * Y))


def rosenbrock(X, Y, p):
    a = Y - X * X
    b = 1 - X
    return 100 * a * a + b * b


def ackley(X, Y, p):
    a, b, c = p.get("a", 20.0), p.get("b", 0.2), p.get("c", 2 * np.pi)
    s2 = X * X + Y * Y
    sc = np.cos(c * X) + np.cos(c * Y)
    return -a * np.exp(-b * np.sqrt(s2 / 2)) - np.exp(sc / 2) + a + np.e


def eggholder(X, Y, p):
    s = Y + 47
    return -s * np.sin(np.sqrt(np.abs(X / 2 + s))) - X * np.sin(np.sqrt(np.abs(X - s)))


SURFACES = {f.__name__: f for f in (ripple, rastrigin, rosenbrock, ackley, eggholder)}


def grid(name, x, y, params):
    """The float32 grid of surface name on the coordinate vectors x (nx,)
    and y (ny,)."""
    X, Y = np.meshgrid(x, y)
    return SURFACES[name](X, Y, params).astype(np.float32)


def axes(xr, yr, nx, ny):
    """The coordinate vectors of an nx×ny grid over the ranges xr and yr."""
    return np.linspace(xr[0], xr[1], nx), np.linspace(yr[0], yr[1], ny)
