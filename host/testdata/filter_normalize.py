#!/usr/bin/python3
"""Reference values for landscape's filter-normalized directions.

Li et al. 2018 ("Visualizing the Loss Landscape of Neural Nets") normalize a
random direction d against the weights w of a trained network, parameter
tensor by parameter tensor, as their loss-landscape code does in
net_plotter.normalize_directions_for_weights(direction, weights,
norm='filter', ignore):

  - a tensor of one dimension or none (biases, batch-norm parameters) gets
    d = 0 with ignore='biasbn', and d = w otherwise;
  - every other tensor is cut into filters along its first dimension (for a
    Linear layer's weight, one output neuron's incoming weights per row),
    and each filter is rescaled in place by ||w_f|| / (||d_f|| + 1e-10).

This script applies that rule with PyTorch, in float64, to seeded random
weights and directions of small torch.nn models laid out as landscape's
models plugin lays out its parameters (nn.Linear weight rows, then biases,
layer after layer), and writes filter_normalize.json, which
host/filter_test.go compares landscape's --plane filter directions with.
Regenerate with Debian's python3-torch:

  /usr/bin/python3 host/testdata/filter_normalize.py > host/testdata/filter_normalize.json
"""

import json

import torch


def normalize(direction, weights, ignore):
    """The rule above, over lists of tensors (direction changed in place)."""
    for d, w in zip(direction, weights):
        if d.dim() <= 1:
            if ignore == "biasbn":
                d.zero_()
            else:
                d.copy_(w)
            continue
        for df, wf in zip(d, w):  # filters: slices along the first dimension
            df.mul_(wf.norm() / (df.norm() + 1e-10))


def case(name, surface, settings, sizes, seed, tweak=None):
    """A model of torch.nn.Linear layers of the given (in, out) sizes."""
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(i, o).double() for i, o in sizes]
    weights = []
    for layer in layers:
        weights += [layer.weight.data.clone(), layer.bias.data.clone()]
    for w in weights:
        w.copy_(torch.randn(w.shape, dtype=torch.float64))
    direction = [torch.randn(w.shape, dtype=torch.float64) for w in weights]
    if tweak:
        tweak(weights, direction)
    flat = lambda ts: [float(v) for t in ts for v in t.reshape(-1).tolist()]
    out = {"name": name, "surface": surface, "set": settings,
           "shapes": [list(w.shape) for w in weights],
           "weights": flat(weights), "direction": flat(direction)}
    for ignore, key in (("biasbn", "biasbn"), ("", "copy")):
        d = [t.clone() for t in direction]
        normalize(d, weights, ignore)
        out[key] = flat(d)
    return out


def edge_cases(weights, direction):
    # A filter of the weights that is zero (its direction becomes zero), a
    # direction filter so small that the 1e-10 matters, a zero bias.
    weights[0][1].zero_()
    direction[0][2].mul_(1e-11)
    weights[1].zero_()


cases = [
    case("mlp, one hidden layer", "mlp", "dataset=moons,loss=ce,hidden=3,layers=1", [(2, 3), (3, 2)], 1, edge_cases),
    case("mlp, two hidden layers", "mlp", "dataset=blobs,k=3,loss=ce,hidden=4,layers=2", [(2, 4), (4, 4), (4, 3)], 2),
    case("softmax regression", "softmax", "dataset=blobs,k=3", [(2, 3)], 3),
    case("linear regression", "linreg", "dataset=line", [(1, 1)], 4),
]
print(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1))
