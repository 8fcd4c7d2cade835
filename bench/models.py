"""PyTorch peers for landscape's model surfaces (plugins/models): the loss
of a model over its dataset at every point of a plane through its
parameters.

Two ways a PyTorch user evaluates such a grid:

- vectorised (GridModel): many grid points at once, their weights a batch,
  the layers batched matrix products over the whole dataset, float32 or
  float64, on one thread or all;
- loss-landscape's loop (PointLoop, as Li et al.'s loss-landscape code
  does): for each grid point set the network's weights (origin + x·u +
  y·v), then a forward pass over a DataLoader (batch size 128) summing
  the criterion's loss and counting correct predictions, then the next
  point.

The models are those of plugins/models: dense layers with weights W (out ×
in, row-major, as torch.nn.Linear's weight) then bias b, layer after
layer; tanh or relu between hidden layers; the loss heads mse, mae, huber,
bce, ce and sublinear, averaged over the samples, plus ½·l2·‖θ‖². The data
is landscape's data buffer: one row per sample, its features then its
target (a class index for ce).
"""
import math

import numpy as np
import torch

LINEAR = ("linreg", "logreg", "softmax")


class Spec:
    """A model's shapes and loss, from landscape's description of it."""

    def __init__(self, surface, dim, features, params):
        self.surface = surface
        self.loss = params.get("loss", "mse")
        self.delta = float(params.get("delta", 1.0))
        self.l2 = float(params.get("l2", 0.0))
        self.relu = params.get("activation", "tanh") == "relu"
        d = features
        if surface in LINEAR:
            if dim % (d + 1):
                raise ValueError(f"{surface}: {dim} parameters do not fit {d} features")
            m = dim // (d + 1)
            self.layers = [(m, d)]
        elif surface == "mlp":
            hid, nl = int(params["hidden"]), int(params["layers"])
            first = hid * d + hid + (nl - 1) * (hid * hid + hid)
            if (dim - first) % (hid + 1):
                raise ValueError(f"mlp: {dim} parameters do not fit {nl} layers of {hid}")
            m = (dim - first) // (hid + 1)
            self.layers = [(hid, d)] + [(hid, hid)] * (nl - 1) + [(m, hid)]
        else:
            raise ValueError(f"no PyTorch peer for surface {surface}")
        if sum(o * i + o for o, i in self.layers) != dim:
            raise ValueError(f"{surface}: layout does not match {dim} parameters")
        if self.loss not in ("mse", "mae", "huber", "bce", "ce", "sublinear"):
            raise ValueError(f"unknown loss {self.loss}")

    def split(self, th):
        """The layers' (W, b) of a batch of parameter vectors th (P, dim):
        W (P, out, in), b (P, out, 1)."""
        out, k = [], 0
        for o, i in self.layers:
            w = th[:, k:k + o * i].reshape(-1, o, i)
            k += o * i
            b = th[:, k:k + o].reshape(-1, o, 1)
            k += o
            out.append((w, b))
        return out

    def head(self, z, y):
        """Per-sample losses of outputs z (P, m, N) for targets y (N,):
        (P, N)."""
        if self.loss == "ce":
            return torch.logsumexp(z, 1) - z.gather(1, y.long().expand(z.shape[0], 1, -1)).squeeze(1)
        x = z[:, 0, :]
        if self.loss == "bce":
            return x.clamp(min=0) - x * y + torch.log1p(torch.exp(-x.abs()))
        r = x - y
        if self.loss == "mae":
            return r.abs()
        if self.loss == "huber":
            a = r.abs()
            return torch.where(a < self.delta, 0.5 * r * r, self.delta * (a - 0.5 * self.delta))
        if self.loss == "sublinear":
            return r.abs().sqrt().sqrt()
        return r * r


def plane_points(plane, rows=None):
    """The parameters of the plane's grid points (row-major, y outer), in
    float64: origin + x_i·u + y_j·v; rows limits them to the first rows
    grid points."""
    x, y = plane["x"], plane["y"]
    X, Y = np.meshgrid(x, y)
    a, b = X.ravel(), Y.ravel()
    if rows is not None:
        a, b = a[:rows], b[:rows]
    return plane["origin"][None, :] + a[:, None] * plane["u"][None, :] + b[:, None] * plane["v"][None, :]


class GridModel:
    """The vectorised peer: chunk grid points at once (on device, "cpu" or
    "cuda"; a GPU takes larger chunks)."""

    def __init__(self, spec, plane, data, dtype, threads, device="cpu", chunk_elems=None):
        self.spec, self.dtype, self.threads, self.device = spec, dtype, threads, device
        if chunk_elems is None:
            chunk_elems = 1 << 21 if device == "cpu" else 1 << 28
        d = data.shape[1] - 1
        self.XT = torch.tensor(data[:, :d].T.copy(), dtype=dtype, device=device)  # (d, N)
        self.y = torch.tensor(data[:, d], dtype=dtype, device=device)             # (N,)
        self.theta = torch.tensor(plane_points(plane), dtype=dtype, device=device)
        n = data.shape[0]
        widest = max(o for o, _ in spec.layers)
        self.chunk = max(1, chunk_elems // (n * widest))
        self.shape = (len(plane["y"]), len(plane["x"]))

    def evaluate(self):
        torch.set_num_threads(self.threads)
        s = self.spec
        out = torch.empty(self.theta.shape[0], dtype=self.dtype, device=self.device)
        act = torch.relu if s.relu else torch.tanh
        with torch.no_grad():
            for k in range(0, self.theta.shape[0], self.chunk):
                th = self.theta[k:k + self.chunk]
                layers = s.split(th)
                w, b = layers[0]
                h = torch.baddbmm(b, w, self.XT.expand(th.shape[0], -1, -1))  # (P, out, N)
                for w, b in layers[1:]:
                    h = torch.baddbmm(b, w, act(h))
                v = s.head(h, self.y).mean(1)
                if s.l2 > 0:
                    v = v + 0.5 * s.l2 * (th * th).sum(1)
                out[k:k + th.shape[0]] = v
        return out.to(torch.float32).cpu().numpy().reshape(self.shape)


class PointLoop:
    """loss-landscape's loop: one grid point after another, each a forward
    pass of a torch.nn network over a DataLoader. It evaluates the first
    count grid points (row-major)."""

    def __init__(self, spec, plane, data, count, batch_size=128):
        self.spec = spec
        d = data.shape[1] - 1
        mods = []
        for k, (o, i) in enumerate(spec.layers):
            if k > 0:
                mods.append(torch.nn.ReLU() if spec.relu else torch.nn.Tanh())
            mods.append(torch.nn.Linear(i, o))
        self.net = torch.nn.Sequential(*mods)
        X = torch.tensor(data[:, :d], dtype=torch.float32)
        y = torch.tensor(data[:, d], dtype=torch.float32)
        if spec.loss == "ce":
            y = y.long()
            self.criterion = torch.nn.CrossEntropyLoss()
        elif spec.loss == "bce":
            self.criterion = torch.nn.BCEWithLogitsLoss()
        elif spec.loss == "mse":
            self.criterion = torch.nn.MSELoss()
        elif spec.loss == "mae":
            self.criterion = torch.nn.L1Loss()
        elif spec.loss == "huber":
            self.criterion = torch.nn.HuberLoss(delta=spec.delta)
        else:
            raise ValueError(f"loss-landscape's loop has no criterion for loss {spec.loss}")
        self.classes = spec.loss == "ce"
        self.loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=batch_size, shuffle=False)
        self.n = data.shape[0]
        # loss-landscape keeps the origin's weights and the two directions
        # as lists of tensors shaped as the network's parameters.
        self.origin = self._shaped(plane["origin"])
        self.dirs = (self._shaped(plane["u"]), self._shaped(plane["v"]))
        X_, Y_ = np.meshgrid(plane["x"], plane["y"])
        self.coords = list(zip(X_.ravel()[:count], Y_.ravel()[:count]))

    def _shaped(self, vec):
        out, k = [], 0
        for p in self.net.parameters():
            out.append(torch.tensor(vec[k:k + p.numel()], dtype=torch.float32).reshape(p.shape))
            k += p.numel()
        return out

    def set_weights(self, step):
        # net_plotter.set_weights: p.data = w + d0·x + d1·y.
        changes = [d0 * step[0] + d1 * step[1] for d0, d1 in zip(*self.dirs)]
        for p, w, d in zip(self.net.parameters(), self.origin, changes):
            p.data = w + d

    def eval_loss(self):
        # evaluation.eval_loss: the mean loss and the accuracy.
        correct, total_loss, total = 0, 0.0, 0
        self.net.eval()
        with torch.no_grad():
            for inputs, targets in self.loader:
                bs = inputs.size(0)
                total += bs
                outputs = self.net(inputs)
                if not self.classes:
                    outputs = outputs.squeeze(1)
                loss = self.criterion(outputs, targets)
                total_loss += loss.item() * bs
                if self.classes:
                    _, predicted = torch.max(outputs.data, 1)
                    correct += predicted.eq(targets).sum().item()
        return total_loss / total, 100.0 * correct / total

    def evaluate(self):
        out = np.empty(len(self.coords), dtype=np.float32)
        for k, step in enumerate(self.coords):
            self.set_weights(step)
            loss, _ = self.eval_loss()
            if self.spec.l2 > 0:
                th = torch.cat([p.data.reshape(-1) for p in self.net.parameters()])
                loss += 0.5 * self.spec.l2 * float((th * th).sum())
            out[k] = loss
        return out
