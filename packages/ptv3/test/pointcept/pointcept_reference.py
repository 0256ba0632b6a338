"""PyTorch side of the Pointcept interchange tests (packages/ptv3/test/pointcept-interchange.slow.test.ts).

Needs only torch (Debian: python3-torch); no spconv, no safetensors package:
- a submanifold convolution is computed as a dense torch conv3d over a zero-filled grid read at the occupied
  voxels (what spconv's SubMConv3d computes, with its [out, k, k, k, in] weight permuted to conv3d's);
- the state_dict skeleton below mirrors the module tree of Pointcept's PointTransformerV3 (v3m1,
  pointcept/models/point_transformer_v3/point_transformer_v3m1_base.py) and DefaultSegmentorV2: the same
  PointSequential child names, parameter shapes and registration order, with parameter-free modules left out;
- safetensors files are read and written by the few lines below, in the layout @pointclick/nn writes.

Usage:
  pointcept_reference.py layers OUT.safetensors            random torch layers, their inputs and outputs
  pointcept_reference.py roundtrip CONFIG.json IN OUT      load IN into the skeleton strictly, write its state_dict
  pointcept_reference.py count CONFIG.json                 parameter count of the skeleton (backbone, head)
"""

import json
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64"}
TORCH_DTYPES = {name: dtype for dtype, name in DTYPES.items()}


def read_safetensors(path):
    with open(path, "rb") as handle:
        data = handle.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    metadata = header.pop("__metadata__", {})
    body = data[8 + length :]
    tensors = {}
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        begin, end = entry["data_offsets"]
        dtype = TORCH_DTYPES[entry["dtype"]]
        flat = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype) if end > begin else torch.zeros(0, dtype=dtype)
        tensors[name] = flat.reshape(entry["shape"]).clone()
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    parts = []
    offset = 0
    for name, tensor in tensors.items():
        raw = tensor.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        parts.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text.encode()) % 8) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(text.encode())) + text.encode() + b"".join(parts))


# ---- the state_dict skeleton of Pointcept's PT-v3m1 -------------------------------------------------------


class SubMConv3d(nn.Module):
    """spconv.SubMConv3d's parameters: weight [out, k, k, k, in] (spconv 2.x layout), bias [out]."""

    def __init__(self, in_channels, out_channels, kernel_size, bias):
        super().__init__()
        k = kernel_size
        self.weight = nn.Parameter(torch.zeros(out_channels, k, k, k, in_channels))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None


def point_sequential(*modules, **named):
    """PointSequential: positional children are named 0, 1, …; named ones keep their names."""
    sequence = nn.Module()
    for module in modules:
        sequence.add_module(str(len(sequence._modules)), module)
    for name, module in named.items():
        sequence.add_module(name, module)
    return sequence


def batch_norm(channels):
    return nn.BatchNorm1d(channels, eps=1e-3, momentum=0.01)


class Attention(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.qkv = nn.Linear(channels, channels * 3)
        self.proj = nn.Linear(channels, channels)


class Mlp(nn.Module):
    def __init__(self, channels, hidden):
        super().__init__()
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)


class Block(nn.Module):
    def __init__(self, channels, mlp_ratio):
        super().__init__()
        self.cpe = point_sequential(SubMConv3d(channels, channels, 3, True), nn.Linear(channels, channels), nn.LayerNorm(channels))
        self.norm1 = point_sequential(nn.LayerNorm(channels))
        self.attn = Attention(channels)
        self.norm2 = point_sequential(nn.LayerNorm(channels))
        self.mlp = point_sequential(Mlp(channels, int(channels * mlp_ratio)))


class Pooling(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.proj = nn.Linear(in_channels, out_channels)
        self.norm = point_sequential(batch_norm(out_channels))


class Unpooling(nn.Module):
    def __init__(self, in_channels, skip_channels, out_channels):
        super().__init__()
        self.proj = point_sequential(nn.Linear(in_channels, out_channels), batch_norm(out_channels))
        self.proj_skip = point_sequential(nn.Linear(skip_channels, out_channels), batch_norm(out_channels))


class Backbone(nn.Module):
    def __init__(self, config):
        super().__init__()
        enc_channels, dec_channels = config["encoderChannels"], config["decoderChannels"]
        self.embedding = nn.Module()
        self.embedding.stem = point_sequential(conv=SubMConv3d(config["inChannels"], enc_channels[0], config["stemKernelSize"], False), norm=batch_norm(enc_channels[0]))
        self.enc = point_sequential()
        for s, depth in enumerate(config["encoderDepths"]):
            stage = point_sequential()
            if s > 0:
                stage.add_module("down", Pooling(enc_channels[s - 1], enc_channels[s]))
            for i in range(depth):
                stage.add_module(f"block{i}", Block(enc_channels[s], config["mlpRatio"]))
            self.enc.add_module(f"enc{s}", stage)
        self.dec = point_sequential()
        channels = list(dec_channels) + [enc_channels[-1]]
        for s in reversed(range(len(enc_channels) - 1)):
            stage = point_sequential()
            stage.add_module("up", Unpooling(channels[s + 1], enc_channels[s], channels[s]))
            for i in range(config["decoderDepths"][s]):
                stage.add_module(f"block{i}", Block(channels[s], config["mlpRatio"]))
            self.dec.add_module(f"dec{s}", stage)


class Segmentor(nn.Module):
    """DefaultSegmentorV2: backbone + a linear segmentation head over the finest decoder features."""

    def __init__(self, config, class_count):
        super().__init__()
        self.backbone = Backbone(config)
        self.seg_head = nn.Linear(config["decoderChannels"][0], class_count)


# ---- reference layers -------------------------------------------------------------------------------------


def submanifold_convolution(features, grid, weight, bias):
    """spconv SubMConv3d on voxels `grid` [n, 3] (x, y, z): a dense conv3d read at the occupied voxels."""
    k = weight.shape[1]
    extent = (grid.max(0).values + 1).tolist()
    dense = torch.zeros(1, features.shape[1], *extent, dtype=torch.float64)
    dense[0, :, grid[:, 0], grid[:, 1], grid[:, 2]] = features.T.double()
    output = F.conv3d(dense, weight.permute(0, 4, 1, 2, 3).double(), bias.double(), padding=k // 2)
    return output[0, :, grid[:, 0], grid[:, 1], grid[:, 2]].T


def attention(features, qkv, proj, heads):
    """Pointcept SerializedAttention (non-flash path) on one patch holding every point."""
    n, c = features.shape
    q, k, v = qkv(features).reshape(n, 3, heads, c // heads).permute(1, 2, 0, 3).unbind(0)
    weights = torch.softmax((q * (c // heads) ** -0.5) @ k.transpose(-2, -1), dim=-1)
    return proj((weights @ v).transpose(0, 1).reshape(n, c))


def block_forward(block, features, grid, heads):
    """Pointcept's Block.forward (pre_norm=True, drop_path inactive) with GELU(approximate="tanh")."""
    cpe = getattr(block.cpe, "0")
    features = features + getattr(block.cpe, "2")(getattr(block.cpe, "1")(submanifold_convolution(features, grid, cpe.weight, cpe.bias)))
    features = features + attention(getattr(block.norm1, "0")(features), block.attn.qkv, block.attn.proj, heads)
    mlp = getattr(block.mlp, "0")
    return features + mlp.fc2(F.gelu(mlp.fc1(getattr(block.norm2, "0")(features)), approximate="tanh"))


def write_layers(path):
    torch.manual_seed(20)
    tensors = {}
    with torch.no_grad():
        linear = nn.Linear(24, 40).double()
        x = torch.randn(50, 24, dtype=torch.float64)
        tensors.update({"linear.weight": linear.weight, "linear.bias": linear.bias, "linear.input": x, "linear.output": linear(x)})

        norm = nn.LayerNorm(40).double()
        norm.weight.normal_()
        norm.bias.normal_()
        x = torch.randn(50, 40, dtype=torch.float64) * 3 + 1
        tensors.update({"layer_norm.weight": norm.weight, "layer_norm.bias": norm.bias, "layer_norm.input": x, "layer_norm.output": norm(x)})

        batch = batch_norm(40).double().eval()
        batch.weight.normal_()
        batch.bias.normal_()
        batch.running_mean.normal_()
        batch.running_var.uniform_(0.5, 2)
        x = torch.randn(50, 40, dtype=torch.float64)
        tensors.update({
            "batch_norm.weight": batch.weight, "batch_norm.bias": batch.bias, "batch_norm.running_mean": batch.running_mean,
            "batch_norm.running_var": batch.running_var, "batch_norm.input": x, "batch_norm.output": batch(x),
        })

        for k in (3, 5):
            cells = torch.randperm(7 ** 3)[:80]
            grid = torch.stack([cells // 49, (cells // 7) % 7, cells % 7], 1)
            weight = torch.randn(12, k, k, k, 8, dtype=torch.float64) * 0.1
            bias = torch.randn(12, dtype=torch.float64)
            x = torch.randn(80, 8, dtype=torch.float64)
            tensors.update({
                f"conv{k}.weight": weight, f"conv{k}.bias": bias, f"conv{k}.grid": grid.to(torch.int64),
                f"conv{k}.input": x, f"conv{k}.output": submanifold_convolution(x, grid, weight, bias),
            })

        block = Attention(32).double()
        x = torch.randn(40, 32, dtype=torch.float64)
        tensors.update({
            "attention.qkv.weight": block.qkv.weight, "attention.qkv.bias": block.qkv.bias, "attention.proj.weight": block.proj.weight,
            "attention.proj.bias": block.proj.bias, "attention.input": x, "attention.output": attention(x, block.qkv, block.proj, 4),
        })
        # A whole PT-v3m1 Block (xCPE, pre-norm attention, MLP) on one patch; GELU as ours, the tanh approximation.
        block = Block(16, 4).double()
        for name, parameter in block.named_parameters():
            parameter.normal_(1.0 if name.endswith("norm1.0.weight") or name.endswith("norm2.0.weight") or name.endswith("cpe.2.weight") else 0.0, 0.2)
        cells = torch.randperm(6 ** 3)[:40]
        grid = torch.stack([cells // 36, (cells // 6) % 6, cells % 6], 1)
        x = torch.randn(40, 16, dtype=torch.float64)
        tensors.update({f"block.{name}": t for name, t in block.state_dict().items()})
        tensors.update({"block.grid": grid.to(torch.int64), "block.input": x, "block.output": block_forward(block, x, grid, 2)})
    # Everything is computed in float64 and stored as float32, the precision the TF.js side runs in.
    write_safetensors(path, {name: (t.float() if t.is_floating_point() else t) for name, t in tensors.items()})


def round_trip(config_path, input_path, output_path):
    with open(config_path) as handle:
        config = json.load(handle)
    tensors, metadata = read_safetensors(input_path)
    backbone = Backbone(config)
    prefix = "backbone."
    backbone.load_state_dict({name[len(prefix):]: t for name, t in tensors.items() if name.startswith(prefix)}, strict=True)
    state = {prefix + name: t for name, t in backbone.state_dict().items()}
    state.update({name: t for name, t in tensors.items() if not name.startswith(prefix)})
    write_safetensors(output_path, state, metadata)


def count(config_path):
    with open(config_path) as handle:
        config = json.load(handle)
    model = Segmentor(config, config.get("classCount", 20))
    total = sum(p.numel() for p in model.parameters())
    head = sum(p.numel() for p in model.seg_head.parameters())
    tensors = len(model.state_dict())
    print(json.dumps({"parameters": total, "backbone": total - head, "segHead": head, "stateDictTensors": tensors, "backboneTensors": len(model.backbone.state_dict())}))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "layers":
        write_layers(sys.argv[2])
    elif command == "roundtrip":
        round_trip(sys.argv[2], sys.argv[3], sys.argv[4])
    elif command == "count":
        count(sys.argv[2])
    else:
        sys.exit(f"unknown command {command}")
