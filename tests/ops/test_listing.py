"""The listing of issue 9: every op name of the families, wherever PyTorch has it.

For each name the test asks torch itself what exists (a function in ``torch``,
a ``Tensor`` method, an in-place ``name_`` method, an ``out=`` argument,
a function in ``torch.linalg``) and requires ember to have the same.
"""
import ast
import inspect
import os

import pytest
import torch

import ember

FAMILIES = {
    "arithmetic": """add sub mul div true_divide floor_divide remainder fmod pow float_power neg abs sign sgn
        deg2rad rad2deg sinc i0 logaddexp logaddexp2 nextafter ldexp frexp heaviside gcd lcm igamma igammac mvlgamma
        reciprocal sqrt rsqrt square exp exp2 expm1 log log2 log10 log1p sin cos tan asin acos atan atan2 sinh
        cosh tanh asinh acosh atanh sigmoid logit erf erfc erfinv lgamma digamma floor ceil round trunc frac
        clamp clip maximum minimum fmax fmin hypot lerp addcmul addcdiv xlogy nan_to_num real imag conj angle
        polar complex view_as_real view_as_complex""",
    "comparison": """eq ne lt le gt ge isclose allclose equal isnan isinf isfinite isneginf isposinf logical_and
        logical_or logical_not logical_xor bitwise_and bitwise_or bitwise_xor bitwise_not where""",
    "reduction": """sum nansum mean nanmean prod max min amax amin aminmax argmax argmin var std var_mean std_mean
        norm logsumexp cumsum cumprod cummax cummin all any median mode kthvalue topk sort argsort msort unique
        count_nonzero bincount histc quantile nanquantile logcumsumexp cov corrcoef histogram diff dist renorm""",
    "linalg": """matmul mm bmm mv dot vdot outer addmm addmv baddbmm einsum tensordot kron cross trace diag
        diagflat matrix_exp cholesky qr cholesky_solve cholesky_inverse triangular_solve nuclear_norm frobenius_norm
        lu lu_unpack lu_solve
        diag_embed diagonal tril triu cdist vander block_diag trapezoid trapz cumulative_trapezoid""",
    "shape": """view view_as reshape reshape_as flatten unflatten ravel squeeze unsqueeze transpose swapaxes
        split_with_sizes select_scatter slice_scatter diagonal_scatter as_strided_scatter permute_copy
        transpose_copy t_copy expand_copy squeeze_copy unsqueeze_copy select_copy slice_copy narrow_copy
        diagonal_copy detach_copy alias_copy view_copy unfold_copy as_strided_copy split_copy
        split_with_sizes_copy unbind_copy view_as_real_copy view_as_complex_copy unsafe_split unsafe_chunk
        unsafe_split_with_sizes
        permute movedim t expand expand_as broadcast_to broadcast_tensors repeat repeat_interleave tile cat concat
        stack hstack vstack dstack split chunk tensor_split unbind narrow flip fliplr flipud roll rot90 contiguous
        clone unfold as_strided meshgrid atleast_1d atleast_2d atleast_3d cartesian_prod combinations""",
    "indexing": """gather scatter scatter_add scatter_reduce index_select index_add index_copy index_fill index_put
        isin unravel_index tril_indices triu_indices index_reduce nonzero_static
        masked_fill masked_scatter masked_select take take_along_dim nonzero argwhere searchsorted bucketize""",
    "random": """rand randn randint randperm normal bernoulli multinomial poisson uniform_ normal_ bernoulli_
        exponential_ geometric_ cauchy_ log_normal_ random_ manual_seed""",
    "misc": """clone copy_ fill_ zero_ type_as new_tensor new_zeros new_ones new_full new_empty
        fill scalar_tensor is_nonzero is_same_size is_signed empty_strided empty_permuted frombuffer get_device
        is_distributed resize_ resize_as_ hann_window hamming_window blackman_window bartlett_window kaiser_window""",
}
LINALG = "inv det slogdet solve cholesky qr svd eigh pinv norm matrix_power vector_norm matrix_norm".split()
OPERATORS = """add sub mul truediv floordiv mod pow matmul and or xor lshift rshift""".split()
UNARY_OPERATORS = ["__neg__", "__abs__", "__invert__", "__pos__"]

NAMES = [(fam, n) for fam, names in FAMILIES.items() for n in names.split()]


def _stub_out_names(stub):
    """Names of torch's C functions with an overload taking ``out=``, read from torch's own type stub."""
    with open(os.path.join(os.path.dirname(torch.__file__), "_C", stub)) as f:
        tree = ast.parse(f.read())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)
            and any(a.arg == "out" for a in node.args.args + node.args.kwonlyargs)}


_C_OUT = _stub_out_names("_VariableFunctions.pyi")


def _torch_takes_out(name, namespace="torch"):
    if namespace == "linalg":  # torch.linalg has no stub: its docstrings open with the signature
        return "out=" in getattr(torch.linalg, name).__doc__.split("\n\n")[0]
    fn = getattr(torch, name)
    try:  # functions written in Python (torch.functional)
        return "out" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # C builtins: the stub lists their overloads
        return name in _C_OUT


def _ember_takes_out(fn):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "out" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def test_every_listed_name_exists_in_torch():
    """The listing itself is honest: each name is something PyTorch has, and the out= probe sees out=."""
    missing = [n for _, n in NAMES if not (hasattr(torch, n) or hasattr(torch.Tensor, n))]
    assert not missing, missing
    assert [n for n in LINALG if not hasattr(torch.linalg, n)] == []
    assert _torch_takes_out("add") and _torch_takes_out("norm") and _torch_takes_out("inv", "linalg")
    assert not _torch_takes_out("squeeze") and not _torch_takes_out("unique")


@pytest.mark.parametrize("family,name", NAMES, ids=[f"{f}-{n}" for f, n in NAMES])
def test_ember_has_what_torch_has(family, name):
    missing = []
    if hasattr(torch, name) and not name.endswith("_") and not hasattr(ember, name):
        missing.append(f"ember.{name}")
    if hasattr(torch.Tensor, name) and not hasattr(ember.Tensor, name):
        missing.append(f"Tensor.{name}")
    if not name.endswith("_") and hasattr(torch.Tensor, name + "_") and not hasattr(ember.Tensor, name + "_"):
        missing.append(f"Tensor.{name}_")
    if hasattr(ember, name) and _torch_takes_out(name) and not _ember_takes_out(getattr(ember, name)):
        missing.append(f"ember.{name}(out=)")
    assert not missing, f"{family}: missing {missing}"


@pytest.mark.parametrize("name", LINALG)
def test_linalg_namespace(name):
    assert hasattr(ember.linalg, name), f"ember.linalg.{name} missing"
    if _torch_takes_out(name, "linalg"):
        assert _ember_takes_out(getattr(ember.linalg, name)), f"ember.linalg.{name}(out=) missing"


@pytest.mark.parametrize("op", OPERATORS)
def test_operators_with_reflected_and_inplace_forms(op):
    for form in (f"__{op}__", f"__r{op}__", f"__i{op}__"):
        if hasattr(torch.Tensor, form):
            assert hasattr(ember.Tensor, form), f"Tensor.{form} missing"


@pytest.mark.parametrize("form", UNARY_OPERATORS)
def test_unary_operators(form):
    assert hasattr(torch.Tensor, form)
    assert hasattr(ember.Tensor, form), f"Tensor.{form} missing"
