"""nn.utils.rnn, the path PyTorch programs import packed sequences from
(``from torch.nn.utils.rnn import pad_sequence``). They are implemented beside the
recurrent layers, in nn/modules/rnn.py; this module only gives them their torch address."""
from ..modules.rnn import (PackedSequence, invert_permutation, pack_padded_sequence, pack_sequence,
                           pad_packed_sequence, pad_sequence, unpack_sequence, unpad_sequence)

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence",
           "unpad_sequence", "unpack_sequence", "invert_permutation"]
