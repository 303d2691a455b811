"""Minimal safetensors reading (numpy.memmap) and streaming writing, shared by the benchmark's
PyTorch peer, its output comparison and its statistics generator. Benchmark only: never used by
surgeon or its tests."""
import json
import os
import struct

import numpy as np

# safetensors dtype -> numpy dtype of the stored elements (16-bit floats as raw integers: numpy
# has no bfloat16, and the peer reinterprets them in torch)
NUMPY = {
    "BF16": np.int16, "F16": np.float16, "F32": np.float32, "F64": np.float64,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_,
}
SIZE = {k: np.dtype(v).itemsize for k, v in NUMPY.items()}
FLOATS = ("BF16", "F16", "F32", "F64")


class Tensor:
    """One stored tensor: name, dtype, shape and its elements as a read-only memmap view."""

    def __init__(self, name, dtype, shape, data):
        self.name, self.dtype, self.shape, self.data = name, dtype, tuple(shape), data

    @property
    def numel(self):
        n = 1
        for d in self.shape:
            n *= d
        return n


def read_header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n)), 8 + n


def open_file(path):
    """Tensors of one .safetensors file in header order, mapped, not read."""
    header, start = read_header(path)
    header.pop("__metadata__", None)
    mm = np.memmap(path, dtype=np.uint8, mode="r")
    out = []
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        b, f = e["data_offsets"]
        out.append(Tensor(name, e["dtype"], e["shape"], mm[start + b:start + f].view(NUMPY[e["dtype"]])))
    return out


def model_files(path):
    """The .safetensors files of a model: the file itself, or every one in a folder, sorted."""
    if os.path.isdir(path):
        return sorted(os.path.join(path, n) for n in os.listdir(path) if n.endswith(".safetensors"))
    return [path]


def open_model(path):
    """{name: Tensor} of a model file or folder (shards merged), in storage order."""
    tensors = {}
    for f in model_files(path):
        for t in open_file(f):
            tensors[t.name] = t
    return tensors


class Writer:
    """Writes one safetensors file whose tensors are known up front and whose data arrive in order,
    tensor by tensor or in pieces, straight from the caller's buffers; fsync on close."""

    def __init__(self, path, specs, metadata=None):
        # specs: [(name, dtype, shape)] in the order the data will arrive
        header = {}
        if metadata:
            header["__metadata__"] = metadata
        offset = 0
        self.sizes = []
        for name, dtype, shape in specs:
            n = SIZE[dtype]
            for d in shape:
                n *= d
            header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + n]}
            offset += n
            self.sizes.append(n)
        text = json.dumps(header, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 8)
        self.f = open(path, "wb")
        self.f.write(struct.pack("<Q", len(text)))
        self.f.write(text)
        self.expected = offset
        self.written = 0

    def write(self, array):
        """Appends the bytes of a contiguous numpy array (or a torch tensor's .numpy())."""
        a = np.ascontiguousarray(array)
        self.f.write(memoryview(a).cast("B"))
        self.written += a.nbytes

    def close(self):
        if self.written != self.expected:
            raise RuntimeError("wrote %d bytes of %d" % (self.written, self.expected))
        self.f.flush()
        os.fsync(self.f.fileno())
        self.f.close()
