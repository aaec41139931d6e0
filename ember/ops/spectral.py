"""torch.stft and torch.istft, composed (as PyTorch's SpectralOps are) of differentiable ember ops.

stft pads the signal (``center``), cuts it into frames of ``n_fft`` every ``hop_length`` samples
(unfold), weights each frame by the window (zero-padded to n_fft, centred), and Fourier
transforms the frames (one-sided for real input). istft inverts it: inverse transforms, windowed
frames overlap-added (the adjoint of unfold), divided by the overlap-added squared window (the
NOLA condition: that sum may not vanish inside the kept signal). Gradients, second order
included, are those of the composition.
"""
from .. import dtypes
from ..tensor import attach
from ._common import to_tensor_arg
from .shape import unfold_backward


def _describe(x, n_fft, hop, win_length, window, normalized, onesided, return_complex):
    """PyTorch's argument echo in stft's errors."""
    from .arithmetic import _TORCH_NAMES
    w = "None" if window is None else f"torch.{_TORCH_NAMES[window._dtype.name]}Tensor{{{list(window.shape)}}}"
    return (f"stft(torch.{_TORCH_NAMES[x._dtype.name]}Tensor{list(x.shape)}, n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win_length}, window={w}, normalized={int(bool(normalized))}, onesided={onesided}, "
            f"return_complex={int(bool(return_complex))})")


def _full_window(window, win_length, n_fft, like):
    """The window as n_fft samples: ones when None, zero-padded on both sides (centred) when shorter."""
    from .. import ones
    from ..nn.functional import pad
    if window is None:
        window = ones(win_length, dtype=like.to_real() if like.is_complex else like)
    left = (n_fft - win_length) // 2
    return pad(window, (left, n_fft - win_length - left)) if win_length < n_fft else window


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None):
    """The short-time Fourier transform: (batch?, freq, frames) complex (or its real view)."""
    from .. import fft, view_as_real
    from ..nn.functional import pad
    input = to_tensor_arg(input, "input", "stft")
    complex_window = window is not None and window._dtype.is_complex
    if return_complex is None:
        if not (input._dtype.is_complex or complex_window):
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will "
                               "further require that return_complex=True in a future PyTorch release.")
        return_complex = True
    hop = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    if center:
        if input.ndim not in (1, 2):
            raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got {input.ndim}D")
        signal = input.reshape((1,) * (3 - input.ndim) + tuple(input.shape))
        input = pad(signal, (n_fft // 2, n_fft // 2), mode=pad_mode).reshape(
            tuple(input.shape[:-1]) + (input.shape[-1] + 2 * (n_fft // 2),))
    text = _describe(input, n_fft, hop, win_length, window, normalized, onesided, return_complex)
    if input.ndim not in (1, 2):
        raise RuntimeError(f"{text}: expected a 1D or 2D tensor")
    if input._dtype.category < dtypes._FLOAT or input._dtype in (dtypes.float16, dtypes.bfloat16):
        raise RuntimeError(f"{text}: expected a tensor of floating point or complex values")
    length = input.shape[-1]
    if not 0 < n_fft <= length:
        raise RuntimeError(f"{text}: expected 0 < n_fft <= {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(f"{text}: expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win_length <= n_fft:
        raise RuntimeError(f"{text}: expected 0 < win_length <= n_fft, but got win_length={win_length}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win_length):
        raise RuntimeError(f"{text}: expected a 1D window tensor of size equal to win_length={win_length}, but "
                           f"got window with size {list(window.shape)}")
    frames = input.unfold(-1, n_fft, hop) * _full_window(window, win_length, n_fft, input._dtype)
    if onesided is None:
        onesided = not (input._dtype.is_complex or complex_window)
    norm = "ortho" if normalized else "backward"
    if onesided:
        if frames._dtype.is_complex:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        spec = fft.rfft(frames, dim=-1, norm=norm)
    else:
        spec = fft.fft(frames, dim=-1, norm=norm)
    spec = spec.transpose(-1, -2)
    return spec if return_complex else view_as_real(spec)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """The inverse of stft: the signal whose (windowed, overlap-added) frames the spectrogram holds."""
    from .. import fft
    from ..nn.functional import pad
    input = to_tensor_arg(input, "input", "istft")
    if not input._dtype.is_complex:
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    hop = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    if input.ndim not in (2, 3):
        raise RuntimeError(f"istft: expected a tensor with 2 or 3 dimensions of complex values, but got "
                           f"{input.ndim}D")
    batched = input.ndim == 3
    spec = input if batched else input.unsqueeze(0)
    n_freq, n_frames = spec.shape[-2], spec.shape[-1]
    if onesided is None:
        onesided = n_freq != n_fft
    if onesided and n_fft // 2 + 1 != n_freq:
        raise RuntimeError(f"istft: expected the frequency dimension (2nd last) of the input tensor to equal "
                           f"n_fft / 2 + 1 when onesided=True, but got {n_freq}")
    if not onesided and n_freq != n_fft:
        raise RuntimeError(f"istft: expected the frequency dimension (2nd last) of the input tensor to equal "
                           f"n_fft when onesided=False, but got {n_freq}")
    if not 0 < win_length <= n_fft:
        raise RuntimeError(f"istft: expected 0 < win_length <= n_fft, but got win_length={win_length}")
    if hop <= 0 or hop > win_length:
        raise RuntimeError("istft: expected 0 < hop_length <= win_length")
    if window is not None and (window.ndim != 1 or window.shape[0] != win_length):
        raise RuntimeError(f"istft: expected a 1D window tensor of size equal to win_length={win_length}, but "
                           f"got window with size {list(window.shape)}")
    if onesided and return_complex:
        raise RuntimeError("cannot have onesided output if window or input is complex")
    w = _full_window(window, win_length, n_fft, input._dtype.to_real())
    norm = "ortho" if normalized else "backward"
    spec = spec.transpose(-1, -2)                                   # (batch, frames, freq)
    frames = fft.irfft(spec, n=n_fft, dim=-1, norm=norm) if onesided else fft.ifft(spec, dim=-1, norm=norm)
    if not return_complex and frames._dtype.is_complex:
        frames = frames.real
    frames = frames * w
    total = n_fft + hop * (n_frames - 1)
    batch = spec.shape[0]
    y = unfold_backward(frames, (batch, total), 1, n_fft, hop)
    envelope = unfold_backward((w * w).expand(1, n_frames, n_fft), (1, total), 1, n_fft, hop)
    start = n_fft // 2 if center else 0
    end = total - (n_fft // 2 if center else 0) if length is None else start + length
    end = min(end, total)
    y, envelope = y[:, start:end], envelope[:, start:end]
    if envelope.numel() and float(envelope.abs().min()) < 1e-11:
        raise RuntimeError("istft: window overlap add min: 0 is below the NOLA threshold 1e-11; the window "
                           "must overlap-add to a non-zero sum everywhere in the kept signal")
    y = y / envelope
    if length is not None and y.shape[-1] < length:
        y = pad(y, (0, length - y.shape[-1]))
    return y if batched else y.squeeze(0)


attach(stft=stft, istft=istft)

__all__ = ["stft", "istft"]
