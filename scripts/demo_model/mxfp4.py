"""OCP MXFP4 fake quantization (quantize, then dequantize) in plain PyTorch, for the demo model's report.

Semantics (OCP MX v1.0 §6.3, see shared reference mxfp4-formats.md §1.3):
  * blocks of 32 consecutive elements along the last dimension (the GEMM reduction dim: a Linear
    weight [out, in] is blocked along `in`, a hidden state [.., hidden] along `hidden`);
  * scale X = 2^E with E = floor(log2(amax)) - 2, read from the fp32 exponent bits of the block's
    amax (never from log2(), which is one too high just below powers of two), clamped to the E8M0
    range [-127, 127];
  * each x / X is rounded ties-to-even onto the E2M1 magnitudes {0, .5, 1, 1.5, 2, 3, 4, 6},
    saturating at 6, the sign kept (so -0.25·X gives -0), and multiplied back by X;
  * arithmetic in fp32; every result is exact in bf16, so the output keeps the input dtype;
  * a block holding a NaN or Inf comes out all NaN (scale byte 0xFF).
Works with torch 1.13 and 2.x.
"""
import torch

BLOCK = 32
E2M1_MAX = 6.0

# Hand-derived check vector (one block, amax 6 so X = 1): ties go to the even code (5 -> 4, 3.5 -> 4,
# 2.5 -> 2, 1.75 -> 2, 1.25 -> 1, 0.75 -> 1, 0.25 -> 0), non-ties to the nearest, signed zeros kept.
CHECK_INPUT = [6, -6, 5, -5, 3.5, -3.5, 2.5, -2.5, 1.75, -1.75, 1.25, -1.25, 0.75, -0.75, 0.25, -0.25,
               5.5, 4.875, 0.1875, 0.3125, 2.875, 1.125, 0.125, -0.125, 3, 4, 1.5, 0.5, 0, -0.0, 2.25, 1.875]
CHECK_EXPECTED = [6, -6, 4, -4, 4, -4, 2, -2, 2, -2, 1, -1, 1, -1, 0, -0.0, 6, 4, 0, 0.5, 3, 1, 0, -0.0,
                  3, 4, 1.5, 0.5, 0, -0.0, 2, 2]


def fake_quant(x: torch.Tensor, block: int = BLOCK) -> torch.Tensor:
    """MXFP4 quantize-then-dequantize of x along its last dimension (see the module docstring)."""
    if x.shape[-1] % block:
        raise ValueError(f"mxfp4.fake_quant: last dimension {x.shape[-1]} is not a multiple of {block}")
    xf = x.float().reshape(*x.shape[:-1], x.shape[-1] // block, block)
    amax = xf.abs().amax(dim=-1, keepdim=True).contiguous()
    biased = (amax.view(torch.int32) >> 23) & 0xFF
    e = (biased - 129).clamp(-127, 127)
    # 2^e built exactly from its bits; 2^-127 is an fp32 subnormal, made as 2^-126 * 0.5 (exact).
    scale = ((e.clamp(min=-126) + 127) << 23).view(torch.float32)
    scale = torch.where(e < -126, scale * 0.5, scale)
    q = xf / scale
    a = q.abs().clamp(max=E2M1_MAX)
    # The E2M1 grid has spacing 0.5 on [0,2), 1 on [2,4), 2 on [4,6]. An even multiple of the spacing
    # is exactly an even E2M1 code, so torch.round (ties-to-even) of a/spacing is RNE onto the codes.
    step = torch.where(a < 2, torch.full_like(a, 0.5), torch.where(a < 4, torch.ones_like(a), torch.full_like(a, 2.0)))
    out = torch.copysign(torch.round(a / step) * step, q) * scale
    bad = ~torch.isfinite(xf).all(dim=-1, keepdim=True)
    out = torch.where(bad, torch.full_like(out, float("nan")), out)
    return out.reshape(x.shape).to(x.dtype)


def self_check(device: str) -> None:
    """Raises AssertionError unless fake_quant reproduces the hand-derived vectors on `device`."""
    inp = torch.tensor(CHECK_INPUT, dtype=torch.float32, device=device)
    want = torch.tensor(CHECK_EXPECTED, dtype=torch.float32, device=device)
    for dtype in (torch.float32, torch.bfloat16):
        for scale in (1.0, 2.0 ** -20, 2.0 ** 40):       # powers of two move only the shared scale
            got = fake_quant((inp * scale).to(dtype)).float()
            assert torch.equal(got, want * scale), f"mxfp4 check ({dtype}, x{scale}): {got.tolist()}"
            assert torch.equal(torch.signbit(got), torch.signbit(want)), f"mxfp4 signed zeros ({dtype})"
    # A block maximum just below a power of two keeps the lower scale: 8 - 2^-21 -> X = 1, clamps to 6.
    v = torch.zeros(32, device=device)
    v[0], v[1] = 8 - 2.0 ** -21, 0.75
    got = fake_quant(v)
    assert got[0].item() == 6.0 and got[1].item() == 1.0, f"mxfp4 near-power-of-two check: {got[:2].tolist()}"
    assert torch.equal(fake_quant(torch.zeros(2, 32, device=device)), torch.zeros(2, 32, device=device))
    v = torch.ones(2, 32, device=device)
    v[1, 3] = float("nan")
    got = fake_quant(v)
    assert torch.equal(got[0], v[0]) and bool(torch.isnan(got[1]).all()), "mxfp4 NaN-block check"


def quantize_linear_weights(layers: torch.nn.Module) -> int:
    """W4A16: replaces every nn.Linear weight under `layers` by its MXFP4 fake quant (biases kept).
    Returns how many weights were quantized."""
    n = 0
    with torch.no_grad():
        for module in layers.modules():
            if isinstance(module, torch.nn.Linear):
                module.weight.copy_(fake_quant(module.weight))
                n += 1
    return n


def add_residual_hooks(layers) -> list:
    """Residual-stream mode: forward hooks that MXFP4-quantize each decoder layer's output hidden state
    (blocks along the hidden dimension). Returns the handles; call .remove() on each to undo."""
    def hook(_module, _inputs, output):
        if isinstance(output, tuple):
            return (fake_quant(output[0]),) + tuple(output[1:])
        return fake_quant(output)
    return [layer.register_forward_hook(hook) for layer in layers]
